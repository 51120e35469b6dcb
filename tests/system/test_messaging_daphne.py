"""Messaging through a real daphne process and the `websockets` client library (issue 4 acceptance).

Daphne runs against the test database pytest-django created (PostgreSQL: committed data, hence
`transactional_db`); on SQLite the test database lives in memory, so the test is skipped there.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from messaging import services
from messaging.models import Conversation, Message

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def daphne_url(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: daphne cannot share pytest's in-memory SQLite database")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, DB_CONN_MAX_AGE="0")
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail("daphne exited: " + process.stderr.read().decode()[-2000:])
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("daphne did not start")
    yield f"ws://127.0.0.1:{port}/ws/"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    # Sessions of the dead process (or of worker threads) would keep the test database from being dropped.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [db["NAME"]],
        )


async def _open(url, token):
    import websockets

    ws = await websockets.connect(
        url,
        additional_headers={"Authorization": f"Token {token}"},
        origin="http://127.0.0.1",
        open_timeout=10,
    )
    first = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert first["type"] == "unread"
    return ws


async def _next(ws, kind, timeout=10, **expected):
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame["type"] == kind and all(frame.get(k) == v for k, v in expected.items()):
            return frame


async def _silent(ws, seconds=0.5) -> bool:
    try:
        await asyncio.wait_for(ws.recv(), seconds)
    except TimeoutError:
        return True
    return False


def test_real_daphne_exchange(world, daphne_url):
    import websockets

    conversation = services.conversation_create(
        actor=world.fed_coordinator,
        kind=Conversation.Kind.FEDERATION,
        title="Fédération",
        federation=world.fed,
        members=[world.member_a, world.member_b],
    )
    tokens = {u: Token.objects.create(user=u).key for u in (world.member_a, world.member_b, world.member_c)}

    async def scenario():
        alice = await _open(daphne_url, tokens[world.member_a])
        bob = await _open(daphne_url, tokens[world.member_b])
        charlie = await _open(daphne_url, tokens[world.member_c])
        client_id = str(uuid.uuid4())
        frame = {
            "type": "message.send",
            "conversation": conversation.pk,
            "body": "Bonjour Bravo",
            "client_id": client_id,
        }
        await alice.send(json.dumps(frame))
        got = await _next(bob, "message.new")
        assert got["message"]["body"] == "Bonjour Bravo" and got["message"]["seq"] == 1
        await alice.send(json.dumps(frame))  # resend: one message only
        assert (await _next(alice, "message.new", duplicate=True))["message"]["id"] == got["message"]["id"]
        assert await _silent(bob, 0.3)  # no copy of the resend reached Bob
        await bob.send(json.dumps({**frame, "body": "Bonjour Alpha", "client_id": str(uuid.uuid4())}))
        assert (await _next(alice, "message.new"))["message"]["body"] == "Bonjour Alpha"

        await charlie.send(json.dumps({**frame, "body": "intrus", "client_id": str(uuid.uuid4())}))
        error = await _next(charlie, "error")
        assert error["code"] == "not_member"

        await bob.close()
        for index in range(3):
            await alice.send(json.dumps({**frame, "body": f"manqué {index}", "client_id": str(uuid.uuid4())}))
            await _next(alice, "message.new")  # stored and published before Bob comes back
        bob = await _open(daphne_url, tokens[world.member_b])
        await bob.send(json.dumps({"type": "sync", "since": {str(conversation.pk): 2}}))
        replayed = []
        while True:
            frame_in = json.loads(await asyncio.wait_for(bob.recv(), 10))
            if frame_in["type"] == "sync.done":
                break
            if frame_in["type"] == "message.new":
                replayed.append(frame_in["message"]["body"])
        assert replayed == ["manqué 0", "manqué 1", "manqué 2"]
        assert await _silent(charlie)  # never received anything of the conversation
        for ws in (alice, bob, charlie):
            await ws.close()
        async with websockets.connect(daphne_url, origin="http://127.0.0.1") as anonymous:
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(anonymous.recv(), 5)

    try:
        asyncio.run(scenario())
    except Exception as exc:  # websockets rejects the anonymous handshake before `async with` completes
        import websockets

        if not isinstance(exc, websockets.InvalidStatus):
            raise
    assert Message.objects.filter(conversation=conversation).count() == 5
    assert not Message.objects.filter(body="intrus").exists()


def test_frame_size_limits_agree_at_the_boundary(world, tmp_path):
    """Issue 17, item 11: one setting (`MESSAGING_MAX_FRAME_BYTES`) sets both the protocol's limit and
    daphne's. Up to it a frame is read; above it, `frame_too_large` and the socket stays open, up to 4x;
    beyond, a close frame 1009 with a reason, never a dropped connection (1006) without a word."""
    import websockets

    from tests import processes

    processes.require_postgres()
    limit = 4096
    token = Token.objects.create(user=world.member_a).key

    def sync_frame(size: int) -> str:
        frame = {"type": "sync", "since": {}, "pad": ""}
        frame["pad"] = "x" * (size - len(json.dumps(frame)))
        text = json.dumps(frame)
        assert len(text.encode()) == size
        return text

    with processes.daphne(tmp_path, MESSAGING_MAX_FRAME_BYTES=str(limit)) as base:
        url = base.replace("http://", "ws://") + "/ws/"

        async def scenario():
            ws = await _open(url, token)
            await ws.send(sync_frame(limit))  # exactly at the limit: read
            assert (await _next(ws, "sync.done"))["more"] == []
            await ws.send(sync_frame(limit + 1))
            assert (await _next(ws, "error"))["code"] == "frame_too_large"
            await ws.send(sync_frame(4 * limit))  # the largest the server reads: still an error frame
            assert (await _next(ws, "error"))["code"] == "frame_too_large"
            await ws.send(json.dumps({"type": "sync", "since": {}}))  # the socket is still usable
            await _next(ws, "sync.done")
            await _next(ws, "unread")  # what follows sync.done
            await ws.send(sync_frame(4 * limit + 1))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                frame = await asyncio.wait_for(ws.recv(), 10)
                pytest.fail(f"answered instead of closing: {frame[:200]}")
            return closed.value

        closed = asyncio.run(scenario())
    assert closed.rcvd is not None, f"dropped without a close frame: {closed!r}"
    assert closed.rcvd.code == 1009
