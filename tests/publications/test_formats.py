"""The log's hashing, proofs and signed notes against published test vectors, and the
minisign files against the format minisign reads (the stock tool itself checks them in
test_minisign.py)."""

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from publications import merkle, minisign, note

# RFC 6962 test vectors as transparency-dev/merkle keeps them (testonly/constants.go and
# testdata/inclusion, testdata/consistency): the leaf inputs, the root of each tree size
# from 0 to 8, and the happy-path proofs.
LEAVES = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
INCLUSION = [  # leaf index, tree size, proof (base64)
    (0, 1, []),
    (0, 8, ["lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="]),
    (5, 8, ["vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
    (2, 3, ["+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU="]),
    (1, 5, ["bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="]),
]
CONSISTENCY = [  # old size, new size, proof (base64)
    (1, 1, []),
    (1, 8, ["lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=", "Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=",
            "a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ="]),
    (6, 8, ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
    (2, 5, ["Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=", "vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms="]),
    (6, 7, ["DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=", "sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=",
            "037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc="]),
]

# The signed-note vector of Go's golang.org/x/mod/sumdb/note (note_test.go): Ed25519 is
# deterministic, so the same key and text give this very note.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + ("\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6K"
                     "E6RyyBwJnAM=\n")

LEAF_HASHES = [merkle.leaf_hash(bytes.fromhex(data)) for data in LEAVES]


def b64(values):
    return [base64.b64decode(v) for v in values]


@pytest.mark.parametrize("size", range(9))
def test_the_root_of_each_tree_size_is_rfc_6962s(size):
    assert merkle.root(LEAF_HASHES[:size]).hex() == ROOTS[size]


@pytest.mark.parametrize("index, size, proof", INCLUSION)
def test_inclusion_proofs_are_the_vectors(index, size, proof):
    assert merkle.inclusion_proof(index, LEAF_HASHES[:size]) == b64(proof)


@pytest.mark.parametrize("old, new, proof", CONSISTENCY)
def test_consistency_proofs_are_the_vectors(old, new, proof):
    assert merkle.consistency_proof(old, LEAF_HASHES[:new]) == b64(proof)


@pytest.mark.parametrize("index, size", [(-1, 3), (3, 3), (0, 0)])
def test_no_inclusion_proof_for_a_leaf_outside_the_tree(index, size):
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_proof(index, LEAF_HASHES[:size])


def go_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(GO_SIGNER.split("+", 4)[4])[1:])


def test_a_signed_note_is_byte_for_byte_gos():
    assert note.sign_note(GO_TEXT, "PeterNeumann", go_key()) == GO_NOTE
    assert note.verifier_key("PeterNeumann", go_key().public_key()) == GO_VERIFIER


def test_a_checkpoint_is_origin_size_and_base64_root():
    text = note.checkpoint_text("example.org/log", 8, bytes.fromhex(ROOTS[8]))

    assert text == "example.org/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"


def test_a_minisign_public_key_and_signature_have_minisigns_layout():
    key = go_key()

    public = minisign.public_key_file(key.public_key()).splitlines()
    signature = minisign.sign(key, b"figures\n", trusted_comment='{"a":1}', untrusted_comment="from us").splitlines()

    assert public[0] == f"untrusted comment: minisign public key {minisign.key_id(key.public_key())}"
    decoded = base64.b64decode(public[1])
    assert decoded[:2] == b"Ed" and len(decoded) == 42 and decoded[10:] == minisign.raw_public_key(key.public_key())
    assert signature[0] == "untrusted comment: from us" and signature[2] == 'trusted comment: {"a":1}'
    decoded_signature = base64.b64decode(signature[1])
    assert decoded_signature[:2] == b"ED" and decoded_signature[2:10] == decoded[2:10] and len(decoded_signature) == 74
    assert len(base64.b64decode(signature[3])) == 64


def test_a_trusted_comment_of_two_lines_is_refused():
    with pytest.raises(ValueError, match="one line"):
        minisign.sign(go_key(), b"x", trusted_comment="a\nb", untrusted_comment="c")
