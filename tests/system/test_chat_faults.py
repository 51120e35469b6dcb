"""Fault cases of the chat (issue 7): Redis restarted mid-exchange, daphne stopped with sockets open.

Real daphne on loopback, real `websockets` clients that behave as messaging/PROTOCOL.md tells them to
(outbox resent with the same client_id, `sync` from the highest seq on reconnect, a message ignored when
its seq is already known). Nothing may be lost or duplicated.
"""

import asyncio
import json
import signal
import time
import uuid

import pytest
from rest_framework.authtoken.models import Token

from messaging import services as messaging
from messaging.models import Conversation, Message
from tests import processes
from tests.system import services

pytestmark = pytest.mark.django_db(transaction=True)


class Client:
    """A chat client following PROTOCOL.md's reliability rules, with counters for the test."""

    def __init__(self, name: str, url: str, token: str, conversation: int):
        self.name, self.url, self.token, self.conversation = name, url, token, conversation
        self.ws = None
        self.messages: dict[int, dict] = {}  # seq -> message, as the client keeps them
        self.repeats = 0  # a live message.new for a seq already held (a resend's acknowledgement aside)
        self.replayed_again = 0  # a `sync` replay of a seq already held (PROTOCOL.md: the client ignores it)
        self.acked_by_resend: set[int] = set()  # first received as a resend's acknowledgement
        self.live_after_resend = 0  # the live copy that follows such an acknowledgement (ignored too)
        self.last_live = 0  # highest seq received live on the current socket
        self.out_of_order = 0  # a live message.new below that (PROTOCOL.md: seq order on each socket)
        self.outbox: dict[str, tuple[dict, float]] = {}  # client_id -> (frame, sent at), until acknowledged
        self.reconnects = 0
        self.server_errors = 0
        self.synced = asyncio.Event()

    @property
    def highest(self) -> int:
        return max(self.messages, default=0)

    async def connect(self) -> None:
        import websockets

        while True:
            try:
                self.ws = await websockets.connect(
                    self.url,
                    additional_headers={"Authorization": f"Token {self.token}"},
                    origin="http://127.0.0.1",
                    open_timeout=5,
                )
                return
            except (OSError, websockets.InvalidStatus, websockets.InvalidMessage, TimeoutError):
                await asyncio.sleep(0.2)

    async def send(self, frame: dict) -> None:
        try:
            await self.ws.send(json.dumps(frame))
        except Exception:  # closed: the reader reconnects and resends the outbox
            pass

    async def post(self, body: str) -> None:
        client_id = str(uuid.uuid4())
        frame = {
            "type": "message.send",
            "conversation": self.conversation,
            "body": body,
            "client_id": client_id,
        }
        self.outbox[client_id] = (frame, time.monotonic())
        await self.send(frame)

    async def sync(self) -> None:
        self.synced.clear()
        await self.send({"type": "sync", "since": {str(self.conversation): self.highest}})

    def _take(self, frame: dict) -> None:
        message = frame["message"]
        if message["conversation"] != self.conversation:
            return
        self.outbox.pop(message.get("client_id"), None)  # acknowledged (live echo, resend, replay)
        if not frame.get("replay") and not frame.get("duplicate"):
            if message["seq"] <= self.last_live:
                self.out_of_order += 1
            self.last_live = message["seq"]
        if message["seq"] in self.messages:
            if frame.get("replay"):
                self.replayed_again += 1
            elif frame.get("duplicate"):
                pass
            elif message["seq"] in self.acked_by_resend:
                self.live_after_resend += 1
            else:
                self.repeats += 1
            return
        if frame.get("duplicate"):
            self.acked_by_resend.add(message["seq"])
        self.messages[message["seq"]] = message

    async def run(self) -> None:
        """Read frames for ever; reconnect when the socket closes (then sync and resend the outbox)."""
        import websockets

        while True:
            try:
                async for raw in self.ws:
                    frame = json.loads(raw)
                    if frame["type"] == "message.new":
                        self._take(frame)
                    elif frame["type"] == "sync.done":
                        self.synced.set()
                    elif frame["type"] == "error" and frame.get("code") == "server_error":
                        self.server_errors += 1  # resent by the outbox loop
            except websockets.ConnectionClosed:
                pass
            self.reconnects += 1
            await self.connect()
            self.last_live = 0
            await self.sync()
            await self.resend_unacknowledged(0)

    async def resend_unacknowledged(self, older_than: float = 1.0) -> None:
        now = time.monotonic()
        for frame, sent_at in list(self.outbox.values()):
            if now - sent_at >= older_than:
                await self.send(frame)


def _conversation(world) -> tuple[Conversation, list]:
    users = [world.member_a, world.member_b, world.fed_coordinator]
    conversation = messaging.conversation_create(
        actor=world.fed_coordinator,
        kind=Conversation.Kind.FEDERATION,
        title="Garde partagée",
        federation=world.fed,
        members=users[:2],
    )
    return conversation, users


def test_redis_restart_during_chat_exchange_loses_and_duplicates_nothing(world, tmp_path):
    processes.require_postgres()
    services.require_local_services()
    conversation, users = _conversation(world)
    tokens = [Token.objects.create(user=user).key for user in users]
    per_client = 24
    # A Redis of the test's own: restarting the machine's would disturb every other test running.
    redis = processes.PrivateRedis()
    redis.start()

    with processes.daphne(tmp_path, REDIS_URL=redis.url) as base:
        url = base.replace("http://", "ws://") + "/ws/"

        async def scenario():
            clients = [Client(f"c{i}", url, tokens[i], conversation.pk) for i in range(len(users))]
            for client in clients:
                await client.connect()
            readers = [asyncio.ensure_future(client.run()) for client in clients]

            async def talk(client: Client):
                for index in range(per_client):
                    await client.post(f"{client.name} #{index}")
                    await asyncio.sleep(0.1)
                    if index % 4 == 3:
                        await client.resend_unacknowledged()  # e.g. a server_error while Redis was down

            talkers = [asyncio.ensure_future(talk(client)) for client in clients]
            await asyncio.sleep(0.8)  # a few messages delivered normally first
            await asyncio.to_thread(redis.stop)
            try:
                await asyncio.sleep(1.0)  # messages keep being sent while Redis is down
            finally:
                await asyncio.to_thread(redis.start)
            await asyncio.gather(*talkers)
            deadline = time.monotonic() + 30
            while any(client.outbox for client in clients) and time.monotonic() < deadline:
                for client in clients:
                    await client.resend_unacknowledged()
                await asyncio.sleep(0.5)
            # After the restart, a new message reaches every socket live (subscriptions are back).
            await clients[0].post("après redémarrage")
            live_deadline = time.monotonic() + 15
            expected_last = per_client * len(clients) + 1
            while time.monotonic() < live_deadline and not all(
                any(m["body"] == "après redémarrage" for m in c.messages.values()) for c in clients
            ):
                await asyncio.sleep(0.1)
            live = {
                c.name: any(m["body"] == "après redémarrage" for m in c.messages.values()) for c in clients
            }
            # Then each client syncs from its highest seq (PROTOCOL.md: no gap below it is ever filled).
            for client in clients:
                await client.sync()
                await asyncio.wait_for(client.synced.wait(), 10)
            for task in readers:
                task.cancel()
            for client in clients:
                await client.ws.close()
            return clients, live, expected_last

        try:
            clients, live, expected_last = asyncio.run(scenario())
        finally:
            redis.stop()

    stored = list(Message.objects.filter(conversation=conversation).order_by("seq"))
    client_ids = [m.client_id for m in stored]
    assert len(client_ids) == len(set(client_ids)) == expected_last, "a message was stored twice or lost"
    assert [m.seq for m in stored] == list(range(1, expected_last + 1))
    for client in clients:
        outbox = client.outbox
        assert not outbox, f"{client.name}: {len(outbox)} message(s) never acknowledged"
        assert sorted(client.messages) == list(range(1, expected_last + 1)), (
            f"{client.name} lost {sorted(set(range(1, expected_last + 1)) - set(client.messages))}"
        )
        assert [client.messages[m.seq]["client_id"] for m in stored] == [str(c) for c in client_ids]
    print(
        "redis restart:",
        {
            c.name: {
                "reconnects": c.reconnects,
                "server_errors": c.server_errors,
                "repeats": c.repeats,
                "replayed_again": c.replayed_again,
                "live_after_resend": c.live_after_resend,
                "out_of_order": c.out_of_order,
            }
            for c in clients
        },
    )
    for client in clients:
        assert client.repeats == 0, f"{client.name} received {client.repeats} message(s) twice live"
        assert client.out_of_order == 0, f"{client.name}: {client.out_of_order} live message(s) out of order"
    assert all(live.values()), f"no live delivery after the restart: {live}"


def test_daphne_sigterm_tells_connected_clients_to_reconnect(world, tmp_path):
    import websockets

    processes.require_postgres()
    token = Token.objects.create(user=world.member_a).key
    with processes.daphne_process(tmp_path) as (base, process):
        url = base.replace("http://", "ws://") + "/ws/"

        async def scenario():
            ws = await websockets.connect(
                url, additional_headers={"Authorization": f"Token {token}"}, origin="http://127.0.0.1"
            )
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "unread"
            process.send_signal(signal.SIGTERM)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(ws.recv(), 10)
            return closed.value

        closed = asyncio.run(scenario())
        assert process.wait(timeout=10) is not None
    # A close frame from the server with "service restart" (4012, PROTOCOL.md), not a dropped TCP
    # connection (1006, no close frame, what daphne alone does): the client knows to reconnect at once.
    assert closed.rcvd is not None, f"no close frame: {closed!r}"
    assert closed.rcvd.code == 4012


def test_message_stored_during_a_layer_outage_is_delivered_after_recovery(world, tmp_path):
    """Issue 17, item 10: a message stored while Redis was down, at the end of an exchange (nothing sent
    afterwards), reached nobody live, not even its sender's acknowledgement. Now the `server_error`
    names the `client_id` it answers, and once the layer is back every socket of the conversation
    catches up from the database, without the client resending anything."""
    import shutil

    import websockets

    processes.require_postgres()
    if not shutil.which("redis-server"):
        pytest.skip("redis-server not available")
    conversation, users = _conversation(world)
    alice_token, bob_token = (Token.objects.create(user=user).key for user in users[:2])
    redis = processes.PrivateRedis()
    redis.start()
    try:
        with processes.daphne(tmp_path, REDIS_URL=redis.url) as base:
            url = base.replace("http://", "ws://") + "/ws/"

            async def open_socket(token):
                ws = await websockets.connect(
                    url, additional_headers={"Authorization": f"Token {token}"}, origin="http://127.0.0.1"
                )
                assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "unread"
                return ws

            async def next_frame(ws, predicate, timeout):
                deadline = time.monotonic() + timeout
                while True:
                    frame = json.loads(
                        await asyncio.wait_for(ws.recv(), max(0.1, deadline - time.monotonic()))
                    )
                    if predicate(frame):
                        return frame

            def new_message(body):
                return lambda f: f["type"] == "message.new" and f["message"]["body"] == body

            async def scenario():
                alice, bob = await open_socket(alice_token), await open_socket(bob_token)
                first = {"type": "message.send", "conversation": conversation.pk, "body": "avant",
                         "client_id": str(uuid.uuid4())}  # fmt: skip
                await alice.send(json.dumps(first))
                await next_frame(bob, new_message("avant"), 10)
                await next_frame(alice, new_message("avant"), 10)
                await asyncio.to_thread(redis.stop)
                client_id = str(uuid.uuid4())
                await alice.send(json.dumps({**first, "body": "pendant la panne", "client_id": client_id}))
                error = await next_frame(alice, lambda f: f["type"] == "error", 15)
                await asyncio.sleep(1.0)  # the layer stays down a little longer
                await asyncio.to_thread(redis.start)
                # Nobody sends anything more: the stored message must still arrive, to both.
                got_bob = await next_frame(bob, new_message("pendant la panne"), 15)
                ack = await next_frame(alice, new_message("pendant la panne"), 15)
                for ws in (alice, bob):
                    await ws.close()
                return error, got_bob, ack

            error, got_bob, ack = asyncio.run(scenario())
    finally:
        redis.stop()
    assert error["code"] == "server_error" and error["client_id"] == ack["message"]["client_id"]
    assert got_bob["message"]["seq"] == 2 and ack["message"]["seq"] == 2
    assert Message.objects.filter(conversation=conversation).count() == 2
