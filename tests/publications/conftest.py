import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from publications.services import sign_and_log
from tools import verify_publication


@pytest.fixture
def key_file(db, settings, tmp_path) -> Path:
    """The publication key, made as an administrator makes it (`publication_key create`)."""
    path = tmp_path / "keys" / "publication.key"
    settings.PUBLICATION_KEY_FILE = path
    call_command("publication_key", "create", stdout=io.StringIO())
    return path


def comment_for(month: str = "2023-11", version: int = 1, profile: str = "public") -> dict:
    return {"scope": "desertion-help", "month": month, "version": version, "profile": profile,
            "fingerprint": "sha256:" + "ab" * 32}


def publish(text: str, name: str = "figures.csv", **comment):
    return sign_and_log(content=text.encode(), name=name, comment=comment_for(**comment))


class Journalist:
    """What a journalist saves from the public pages, in a folder of their own, and what
    the verifier tells them about it (lines printed, exit code)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.client = Client()

    def save(self, url: str, name: str) -> Path:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        path = self.folder / name
        path.write_bytes(response.content)
        return path

    def save_entry(self, index: int, name: str) -> Path:
        self.save(f"/publications/{index}/{name}.minisig", f"{name}.minisig")
        return self.save(f"/publications/{index}/{name}", name)

    def save_proofs(self, index: int, old_size: int | None = None):
        size = int(self.save("/publications/checkpoint", "checkpoint").read_text().splitlines()[1])
        self.save(f"/publications/proof/{index}?size={size}", "proof.json")
        if old_size:
            self.save(f"/publications/consistency/{old_size}/{size}", "consistency.json")

    def verify(self, capsys, *args: str) -> tuple[int, list[str]]:
        capsys.readouterr()
        code = verify_publication.main([str(a) for a in args])
        return code, capsys.readouterr().out.splitlines()


@pytest.fixture
def journalist(tmp_path) -> Journalist:
    folder = tmp_path / "journalist"
    folder.mkdir()
    return Journalist(folder)


def fields(signature: str) -> dict:
    return json.loads(signature.splitlines()[2].removeprefix("trusted comment: "))
