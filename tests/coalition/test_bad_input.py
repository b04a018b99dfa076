"""Bad answers from a peer (issue 26, "Bad input"): garbage, a huge answer, a peer that
never answers, a redirection to another host. Each refused with its reason, nothing
stored, and the coalition page still renders. The peers here are tiny servers in
threads of the test process, on the loopback."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from coalition.models import PeerAttempt, PeerCheckpoint, PeerDocument
from coalition.services import peer_add, peer_fetch
from publications import minisign
from tests.conftest import make_user


def serve(answer):
    """A peer whose every GET is answered by answer(handler)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            answer(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def peer_at(db):
    servers = []

    def make(answer):
        server = serve(answer)
        servers.append(server)
        key = minisign.public_key_file(Ed25519PrivateKey.generate().public_key())
        return peer_add(name=f"peer-{len(servers)}", key_text=key, url=f"http://127.0.0.1:{server.server_port}/")

    yield make
    for server in servers:
        server.shutdown()
        server.server_close()


def send(handler, body: bytes, status: int = 200, **headers):
    handler.send_response(status)
    for name, value in {"Content-Type": "text/plain", **headers}.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def assert_refused_and_nothing_stored(peer, kind, client_for):
    result = peer_fetch(peer=peer)
    assert [a.kind for a in result.refused] == [kind], [a.reason for a in result.refused]
    assert PeerDocument.objects.count() == 0 and PeerCheckpoint.objects.count() == 0
    page = client_for(make_user("staff-bad", "Staff")).get("/coalition/2023-11/")
    assert page.status_code == 200
    assert "The last fetch from" in page.content.decode()
    return result.refused[0].reason


def test_a_peer_answering_garbage_is_refused(peer_at, client_for):
    peer = peer_at(lambda h: send(h, b"\x00\xffnot a checkpoint at all"))

    reason = assert_refused_and_nothing_stored(peer, PeerAttempt.Kind.BAD_ANSWER, client_for)

    assert "not text" in reason or "not a signed checkpoint" in reason


def test_a_huge_answer_is_cut_at_the_size_cap(peer_at, client_for, settings):
    settings.COALITION_FETCH_MAX_BYTES = 100_000
    chunk = b"x" * 65536

    def huge(handler):
        handler.send_response(200)
        handler.end_headers()  # no Content-Length: the cap must hold while reading
        try:
            for _ in range(200):  # 13 MB, if anyone read it all
                handler.wfile.write(chunk)
        except OSError:
            pass

    peer = peer_at(huge)

    reason = assert_refused_and_nothing_stored(peer, PeerAttempt.Kind.TOO_LARGE, client_for)

    assert "larger than 100000 bytes" in reason


def test_a_peer_that_never_answers_is_given_up_after_the_timeout(db, client_for, settings):
    settings.COALITION_FETCH_TIMEOUT = 1
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)  # accepts connections, never answers
    try:
        key = minisign.public_key_file(Ed25519PrivateKey.generate().public_key())
        peer = peer_add(name="slow", key_text=key, url=f"http://127.0.0.1:{listener.getsockname()[1]}/")
        started = time.monotonic()

        reason = assert_refused_and_nothing_stored(peer, PeerAttempt.Kind.TIMEOUT, client_for)

        assert time.monotonic() - started < 10
        assert "did not answer" in reason and "within 1 seconds" in reason
    finally:
        listener.close()


def test_a_redirection_to_another_host_is_not_followed(peer_at, client_for):
    peer = peer_at(lambda h: send(h, b"", 302, Location="http://example.org/publications/checkpoint"))

    reason = assert_refused_and_nothing_stored(peer, PeerAttempt.Kind.BAD_ANSWER, client_for)

    assert "another host (example.org)" in reason
