#!/usr/bin/env python
"""Chat benchmark: daphne + the Redis channel layer + PostgreSQL, N websocket clients, JSON on stdout.

    .venv/bin/python tests/perf/chat.py                # 1,000 clients, rooms of 20, everything
    .venv/bin/python tests/perf/chat.py --clients 200 --duration 8 --rates 25,50,100 --no-fault

Runs, in one go (each bounded in time; traffic only to 127.0.0.1):
1. `maillage`: the real `/ws/` consumer (token auth, membership check, message persisted with its sequence
   number before publishing) at a fixed aggregate rate; then a saturation search (highest rate with
   p99 <= 250 ms and nothing lost or duplicated).
2. `bare`: the same load against a bare Channels echo-broadcast consumer (no database, no permission) in
   the same run, so the cost of persistence and checks is a ratio.
3. `maillage_2proc`: the real consumer with the clients spread over 2 daphne processes (scale-out).
4. `fault`: Redis is restarted in the middle of a run; clients reconnect, `sync`, and the run reports what
   was lost live and what was still missing after the final `sync` (must be 0: persisted first).
   Redis is always running again when the script ends.

Latency = send -> receipt by every member of the room (the sender's echo included), measured in this
process with one monotonic clock. Environment: DATABASE_URL (default a `maillage_bench_chat` database on
127.0.0.1, created if missing), REDIS_URL (default redis://127.0.0.1:6379/0), CHANNEL_LAYER_PREFIX
(default `benchchat`; Redis pub/sub ignores the database number, so concurrent runs on one Redis need
distinct prefixes). The fault run restarts the Redis server itself (every database).

Each step reports why it failed (`failed_because`), its worst pause (`stall`: the longest time without a
delivery, and the event loop's lag measured by a `ping` every 100 ms on one socket) and a per-second
`timeline` (sent, p99/max latency of that second's messages, server CPU, loop lag), with its UTC start
and the PostgreSQL checkpoints completed meanwhile: a checkpoint's fsync delays every commit, and a send
waits for its commit (measured: the stalls were database threads waiting in COMMIT). Measurements start
once the server has settled after the connections (each socket's background revalidation).
"""

import argparse
import asyncio
import binascii
import gc
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/maillage_bench_chat"
BENCH_DOMAIN = "bench.maillage.invalid"
BARE_CHANNEL_LAYER = "channels_redis.pubsub.RedisPubSubChannelLayer"
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379"]
REDIS_START += ["--save", "", "--appendonly", "no"]


# --- the bare Channels echo-broadcast application (served by daphne from this module) ---------------
def _build_echo_application():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.conf import settings
    from django.urls import path

    # Bare Channels is the stock pub-sub layer (one SUBSCRIBE per socket), whatever the settings' own
    # layer (config/channel_layer.py shares the subscriptions of a process).
    layers = settings.CHANNEL_LAYERS
    if layers["default"]["BACKEND"] == "config.channel_layer.SharedSubscriptionChannelLayer":
        config = {k: v for k, v in layers["default"]["CONFIG"].items() if k != "pattern_groups"}
        layers["default"] = {"BACKEND": BARE_CHANNEL_LAYER, "CONFIG": config}

    class EchoBroadcastConsumer(AsyncWebsocketConsumer):
        """Joins the room named in the query string and broadcasts every frame to it, as is."""

        async def connect(self):
            room = parse_qs(self.scope["query_string"].decode()).get("room", ["0"])[0]
            self.room = f"room.{room}"
            await self.channel_layer.group_add(self.room, self.channel_name)
            await self.accept()

        async def disconnect(self, code):
            await self.channel_layer.group_discard(self.room, self.channel_name)

        async def receive(self, text_data=None, bytes_data=None):
            await self.channel_layer.group_send(self.room, {"type": "room.message", "text": text_data})

        async def room_message(self, event):
            await self.send(text_data=event["text"])

    if settings.MESSAGING_GC_FREEZE:  # same process tuning as the real application
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 50, 100)
    return ProtocolTypeRouter({"websocket": URLRouter([path("echo/", EchoBroadcastConsumer.as_asgi())])})


def __getattr__(name):  # `daphne tests.perf.chat:echo_application` builds it on first access
    if name == "echo_application":
        application = _build_echo_application()
        globals()["echo_application"] = application
        return application
    raise AttributeError(name)


# --- helpers --------------------------------------------------------------------------------------
def log(*parts) -> None:
    print(*parts, file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    index = min(len(values) - 1, max(0, math.ceil(q / 100 * len(values)) - 1))
    return round(values[index], 2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_ping() -> bool:
    try:
        return (
            subprocess.run(["redis-cli", "ping"], capture_output=True, text=True, timeout=5).stdout.strip()
            == "PONG"
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def ensure_redis() -> None:
    if not redis_ping():
        subprocess.run(REDIS_START, check=False, capture_output=True)
        for _ in range(50):
            if redis_ping():
                return
            time.sleep(0.1)


def setup_django(env: dict) -> None:
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare_data(clients: int, members: int) -> list[tuple[str, int]]:
    """Fresh bench users (with tokens) in rooms of `members`: [(token, conversation id)] per client."""
    from django.core.management import call_command
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from federation.models import College, Cpts, Departement, Federation, FederationMember, Membership, User
    from messaging.models import Conversation, ConversationMember

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        departement, _ = Departement.objects.get_or_create(code="B9", defaults={"name": "Banc d'essai"})
        federation, _ = Federation.objects.get_or_create(
            slug="bench-chat", defaults={"name": "Banc d'essai messagerie", "departement": departement}
        )
        cpts, _ = Cpts.objects.get_or_create(
            slug="bench-chat-cpts", defaults={"name": "CPTS du banc d'essai"}
        )
        FederationMember.objects.get_or_create(
            federation=federation, cpts=cpts, defaults={"college": College.CPTS}
        )
        Conversation.objects.filter(federation=federation).delete()
        User.objects.filter(email__endswith="@" + BENCH_DOMAIN).delete()
        users = User.objects.bulk_create(
            [
                User(email=f"u{i}@{BENCH_DOMAIN}", display_name=f"Banc {i}", password="!")
                for i in range(clients)
            ]
        )
        # Members of a member CPTS: real participants of the federation (the consumer re-checks this).
        Membership.objects.bulk_create([Membership(user=u, cpts=cpts) for u in users])
        tokens = Token.objects.bulk_create(
            [Token(key=binascii.hexlify(os.urandom(20)).decode(), user=u) for u in users]
        )
        rooms = Conversation.objects.bulk_create(
            [
                Conversation(
                    kind=Conversation.Kind.GROUP, title=f"Banc {k}", federation=federation, is_open=False
                )
                for k in range(math.ceil(clients / members))
            ]
        )
        ConversationMember.objects.bulk_create(
            [ConversationMember(conversation=rooms[i // members], user=u) for i, u in enumerate(users)]
        )
    return [(tokens[i].key, rooms[i // members].pk) for i in range(clients)]


def room_last_seq() -> dict[int, int]:
    from messaging.models import Conversation

    return dict(Conversation.objects.filter(federation__slug="bench-chat").values_list("pk", "last_seq"))


def checkpoint_counters() -> dict[str, float]:
    """PostgreSQL checkpoints completed (whole server) and their fsync time: a checkpoint's sync phase
    (forced by any CREATE or DROP DATABASE, e.g. another process's test database, or by a bulk load's WAL)
    delays every commit's WAL flush, and a send's database thread waits for its commit. Compare with the
    server log's "checkpoint complete" lines and the step's `started_at`."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT checkpoints_timed + checkpoints_req, checkpoint_sync_time FROM pg_stat_bgwriter"
        )
        completed, sync_ms = cursor.fetchone()
    return {"checkpoints_completed": completed, "checkpoint_sync_ms": sync_ms}


def message_count() -> int:
    from messaging.models import Message

    return Message.objects.filter(conversation__federation__slug="bench-chat").count()


class Server:
    """One or more daphne processes serving `application`."""

    def __init__(self, application: str, processes: int, env: dict):
        self.ports = [free_port() for _ in range(processes)]
        self.procs = []
        self.logs = []
        for port in self.ports:
            log_file = open(f"/tmp/bench-chat-daphne-{port}.log", "w")  # noqa: SIM115 — closed in stop()
            self.logs.append(log_file)
            endpoint = f"tcp:port={port}:interface=127.0.0.1:backlog=4096"
            self.procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "daphne",
                        "-e",
                        endpoint,
                        "--websocket_connect_timeout",
                        "60",
                        application,
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=log_file,
                )
            )
        deadline = time.monotonic() + 60
        for port, proc in zip(self.ports, self.procs, strict=True):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        raise RuntimeError(
                            f"daphne did not start (see /tmp/bench-chat-daphne-{port}.log)"
                        ) from None
                    time.sleep(0.2)
        import psutil

        self.ps = [psutil.Process(p.pid) for p in self.procs]

    def start_profiles(self, directory: str, name: str) -> None:
        """py-spy on each daphne process (speedscope format, idle threads included, so the samples of
        a thread are a timeline: 100 per second; `--nonblocking`: a paused daphne would be the stall measured), from now until `stop_profiles`."""
        Path(directory).mkdir(parents=True, exist_ok=True)
        self.profilers = [
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "py-spy"),
                    "record",
                    "--pid",
                    str(proc.pid),
                    "--idle",
                    "--nonblocking",
                ]
                + [
                    "--rate",
                    "100",
                    "--format",
                    "speedscope",
                    "-o",
                    f"{directory}/{name}-{i}.speedscope.json",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for i, proc in enumerate(self.procs)
        ]
        log(f"  py-spy recording into {directory}/{name}-*.speedscope.json")

    def stop_profiles(self) -> None:
        for profiler in getattr(self, "profilers", []):
            profiler.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        for profiler in getattr(self, "profilers", []):
            try:
                profiler.wait(timeout=60)
            except subprocess.TimeoutExpired:
                profiler.kill()
        self.profilers = []

    def cpu_seconds(self) -> float:
        return sum(p.cpu_times().user + p.cpu_times().system for p in self.ps)

    def rss(self) -> int:
        return sum(p.memory_info().rss for p in self.ps)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        for log_file in self.logs:
            log_file.close()


# --- clients --------------------------------------------------------------------------------------
class Stats:
    def __init__(self):
        self.sent_at: dict[str, float] = {}  # key -> send time
        self.room_of: dict[str, int] = {}  # key -> room
        self.latencies: list[float] = []
        self.duplicates = 0
        self.out_of_order = 0
        self.first_send = None
        self.last_delivery = 0.0
        self.live_deliveries = 0
        self.deliveries: list[tuple[float, float]] = []  # (send time, delivery time) of each delivery
        self.pings: list[float] = []  # send times of the lag probe's pings not answered yet
        self.pongs: list[tuple[float, float]] = []  # (ping time, round trip ms)


class Client:
    def __init__(self, index: int, url: str, token: str, room: int, mode: str, stats: Stats, room_size: dict):
        self.index, self.url, self.token, self.room, self.mode = index, url, token, room, mode
        self.stats, self.room_size = stats, room_size
        self.ws = None
        self.received: set[str] = set()  # keys received (live or replayed)
        self.last_seq = 0  # highest seq seen in the room (maillage)
        self.base_seq = 0  # the room's seq when the measured run started
        self.last_n: dict[int, int] = {}  # sender -> highest counter seen (bare)
        self.counter = 0
        self.outbox: dict[str, str] = {}  # key -> frame not acknowledged yet
        self.connected = asyncio.Event()
        self.reconnects = 0
        self.sync_done = asyncio.Event()
        self.closing = False
        self.reader_task = None

    async def connect(self) -> float:
        import websockets

        started = time.perf_counter()
        headers = {"Authorization": f"Token {self.token}"} if self.mode == "maillage" else {}
        self.ws = await websockets.connect(
            self.url,
            additional_headers=headers,
            origin="http://127.0.0.1",
            open_timeout=60,
            ping_interval=None,
            compression=None,
            max_queue=None,
        )
        elapsed = time.perf_counter() - started
        self.connected.set()
        self.reader_task = asyncio.ensure_future(self.reader())
        return elapsed

    async def reader(self):
        import websockets

        while not self.closing:
            try:
                async for text in self.ws:
                    self.handle(text)
            except websockets.ConnectionClosed:
                pass
            except OSError:
                pass
            if self.closing:
                return
            self.connected.clear()
            await self.reconnect()

    async def reconnect(self):
        delay = 0.2
        while not self.closing:
            try:
                await asyncio.sleep(delay + random.random() * 0.3)
                await self.connect_again()
                return
            except Exception:  # noqa: BLE001 — server or Redis still down: try again
                delay = min(delay * 2, 2.0)

    async def connect_again(self, open_timeout: float = 10):
        import websockets

        headers = {"Authorization": f"Token {self.token}"} if self.mode == "maillage" else {}
        self.ws = await websockets.connect(
            self.url,
            additional_headers=headers,
            origin="http://127.0.0.1",
            open_timeout=open_timeout,
            ping_interval=None,
            compression=None,
            max_queue=None,
        )
        self.reconnects += 1
        if self.mode == "maillage":  # the bare echo server has no `sync`: it would broadcast the frame
            await self.ws.send(json.dumps({"type": "sync", "since": {str(self.room): self.last_seq}}))
        for frame in list(self.outbox.values()):
            await self.ws.send(frame)
        self.connected.set()

    async def send_message(self, key: str) -> None:
        if self.mode == "maillage":
            frame = json.dumps(
                {"type": "message.send", "conversation": self.room, "body": f"bench {key}", "client_id": key}
            )
        else:
            self.counter += 1
            frame = json.dumps({"k": key, "s": self.index, "n": self.counter})
        self.outbox[key] = frame
        if self.connected.is_set():
            try:
                await self.ws.send(frame)
            except Exception:  # noqa: BLE001 — resent from the outbox after reconnecting
                pass

    def handle(self, text: str) -> None:
        now = time.perf_counter()
        stats = self.stats
        frame = json.loads(text)
        if self.mode == "bare":
            key = frame["k"]
            if frame["s"] == self.index:
                self.outbox.pop(key, None)  # acknowledged
            if key in self.received:
                stats.duplicates += 1
                return
            self.received.add(key)
            if frame["n"] <= self.last_n.get(frame["s"], 0):
                stats.out_of_order += 1
            self.last_n[frame["s"]] = max(self.last_n.get(frame["s"], 0), frame["n"])
            self._delivered(key, now)
            return
        kind = frame.get("type")
        if kind == "message.new":
            message = frame["message"]
            key = message["client_id"]
            self.outbox.pop(key, None)  # the echo (or a duplicate answer) acknowledges our own message
            if frame.get("duplicate"):
                return
            replay = frame.get("replay", False)
            if key in self.received:
                if not replay:
                    stats.duplicates += 1
                return
            self.received.add(key)
            seq = message["seq"]
            if not replay:
                if seq < self.last_seq:
                    stats.out_of_order += 1
                elif seq > self.last_seq + 1 and self.last_seq and self.connected.is_set():
                    # A gap: a live delivery was lost. Replay it from the database.
                    asyncio.ensure_future(self._sync_from(self.last_seq))
                self._delivered(key, now)
            self.last_seq = max(self.last_seq, seq)
        elif kind == "sync.done":
            self.sync_done.set()
        elif kind == "pong" and stats.pings:
            sent = stats.pings.pop(0)
            stats.pongs.append((sent, (now - sent) * 1000))
        elif kind == "error" and frame.get("code") == "server_error":
            pass  # the frame stays in the outbox; resent on reconnection or by the final catch-up

    def _delivered(self, key: str, now: float) -> None:
        stats = self.stats
        sent = stats.sent_at.get(key)
        if sent is not None:
            stats.latencies.append((now - sent) * 1000)
            stats.deliveries.append((sent, now))
            stats.live_deliveries += 1
            stats.last_delivery = max(stats.last_delivery, now)

    async def _sync_from(self, seq: int) -> None:
        try:
            await self.ws.send(json.dumps({"type": "sync", "since": {str(self.room): seq}}))
        except Exception:  # noqa: BLE001
            pass

    async def catch_up(self) -> None:
        """Final `sync` (what any reconnecting client does), then resend what was never acknowledged."""
        self.sync_done.clear()
        for frame in list(self.outbox.values()):
            await self.ws.send(frame)
        await self.ws.send(json.dumps({"type": "sync", "since": {str(self.room): self.base_seq}}))
        await asyncio.wait_for(self.sync_done.wait(), 60)

    async def close(self):
        self.closing = True
        if self.ws is not None:
            await self.ws.close()
        if self.reader_task is not None:
            self.reader_task.cancel()


async def connect_all(clients: list[Client], concurrency: int = 200) -> dict:
    semaphore = asyncio.Semaphore(concurrency)
    failures = 0
    times: list[float] = []

    async def one(client):
        nonlocal failures
        async with semaphore:
            for _attempt in range(3):
                try:
                    times.append(await client.connect() * 1000)
                    return
                except Exception:  # noqa: BLE001
                    await asyncio.sleep(0.5)
            failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(one(c) for c in clients))
    return {
        "clients": len(clients),
        "total_s": round(time.perf_counter() - started, 2),
        "handshake_ms_p50": percentile(times, 50),
        "handshake_ms_p99": percentile(times, 99),
        "failed": failures,
    }


async def settle(server: Server, quiet_cpu_s: float = 0.05, timeout: float = 60.0) -> float:
    """Wait until the server is idle (less than `quiet_cpu_s` of CPU per half second): a storm measured
    while the previous step's background work still runs would be charged for it. Returns the wait."""
    started = time.perf_counter()
    cpu = server.cpu_seconds()
    while time.perf_counter() - started < timeout:
        await asyncio.sleep(0.5)
        now = server.cpu_seconds()
        if now - cpu < quiet_cpu_s:
            break
        cpu = now
    return round(time.perf_counter() - started, 1)


async def storm(clients: list[Client], server: Server, spread: float) -> dict:
    """A reconnect storm (issue 17, item 13): every socket closed at once, as a deploy does (4012), then
    every client reconnects and sends its `sync`: within `spread` seconds, each at a random moment
    (PROTOCOL.md asks clients to spread a 4012 reconnection over about a second, and chat.js and
    unread.js do: `spread=1`), or all in the same instant (`spread=0`, the worst case). Reports the time
    from the first reconnection until all are connected again, and each client's handshake time from
    its own attempt (target: 1,000 clients in <= 3 s, p99 <= 1 s)."""
    settled_s = await settle(server)
    log(f"  storm (spread {spread} s): closing every socket (server settled in {settled_s} s)")
    for client in clients:
        client.closing = True
    await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
    for client in clients:
        if client.reader_task is not None:
            client.reader_task.cancel()
    await asyncio.sleep(1.0)
    times: list[float] = []
    failures = 0

    async def one(client, delay):
        nonlocal failures
        await asyncio.sleep(delay)
        started = time.perf_counter()
        try:
            await client.connect_again(open_timeout=60)
        except Exception:  # noqa: BLE001
            failures += 1
            return
        times.append((time.perf_counter() - started) * 1000)
        client.closing = False
        client.reader_task = asyncio.ensure_future(client.reader())

    cpu0, started = server.cpu_seconds(), time.perf_counter()
    await asyncio.gather(*(one(c, random.random() * spread) for c in clients))
    elapsed = time.perf_counter() - started
    await asyncio.sleep(1.0)  # work left after the handshakes (the `sync` answers)
    return {
        "clients": len(clients),
        "spread_s": spread,
        "all_connected_s": round(elapsed, 2),
        "server_cpu_ms_per_reconnect": round((server.cpu_seconds() - cpu0) / len(clients) * 1000, 2),
        "handshake_ms_p50": percentile(times, 50),
        "handshake_ms_p99": percentile(times, 99),
        "failed": failures,
        "load_average": os.getloadavg(),
    }


async def storms(clients: list[Client], server: Server) -> dict:
    """The storm as clients following the protocol make it (spread over 1 s), then all at once."""
    return {
        "as_the_protocol_asks": await storm(clients, server, spread=1.0),
        "all_at_once": await storm(clients, server, spread=0.0),
    }


async def run_load(
    clients, stats_factory, room_size, rate: float, duration: float, server: Server, fault_at=None
):
    """Send at `rate` msgs/s for `duration` s from random clients; wait for deliveries; measure."""
    stats = stats_factory()
    for client in clients:
        client.stats = stats
        client.received = set()
        client.outbox = {}
    order = list(range(len(clients)))
    random.shuffle(order)
    checkpoints0 = await asyncio.to_thread(checkpoint_counters)
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    cpu0, started = server.cpu_seconds(), time.perf_counter()
    client_cpu0 = time.process_time()
    sent = 0
    fault_task = None
    stop = asyncio.Event()
    cpu_samples: list[tuple[float, float]] = [(started, cpu0)]
    watchers = [asyncio.ensure_future(sample_cpu(server, cpu_samples, stop))]
    if clients[0].mode == "maillage":  # the echo server would broadcast a ping
        watchers.append(asyncio.ensure_future(probe_lag(clients[0], stats, stop)))
    db_samples: list[tuple[float, dict[str, int]]] = []
    watchers.append(asyncio.ensure_future(asyncio.to_thread(sample_db_waits, db_samples, stop)))
    while True:
        at = started + sent / rate
        if at - started >= duration:
            break
        if fault_at is not None and fault_task is None and at - started >= fault_at:
            fault_task = asyncio.ensure_future(asyncio.to_thread(restart_redis))
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        client = clients[order[sent % len(order)]]
        key = str(uuid.uuid4())
        stats.sent_at[key] = time.perf_counter()
        stats.room_of[key] = client.room
        if stats.first_send is None:
            stats.first_send = stats.sent_at[key]
        await client.send_message(key)
        sent += 1
    send_elapsed = time.perf_counter() - started
    expected = sum(room_size[room] for room in stats.room_of.values())
    deadline = time.perf_counter() + max(5.0, duration / 2)
    while time.perf_counter() < deadline and stats.live_deliveries < expected:
        await asyncio.sleep(0.1)
    if fault_task is not None:
        await fault_task
    stop.set()
    await asyncio.gather(*watchers)
    cpu = server.cpu_seconds() - cpu0
    wall = time.perf_counter() - started
    live_missing = expected - stats.live_deliveries
    checkpoints = await asyncio.to_thread(checkpoint_counters)
    result = {
        "started_at": started_at,
        "rate_target": rate,
        "rate_achieved": round(sent / send_elapsed, 1),
        "messages": sent,
        "expected_deliveries": expected,
        "deliveries": stats.live_deliveries,
        "deliveries_per_s": round(
            stats.live_deliveries / max(1e-9, stats.last_delivery - stats.first_send), 1
        )
        if stats.live_deliveries
        else 0,
        "latency_ms_p50": percentile(stats.latencies, 50),
        "latency_ms_p95": percentile(stats.latencies, 95),
        "latency_ms_p99": percentile(stats.latencies, 99),
        "latency_ms_max": percentile(stats.latencies, 100),
        "lost": live_missing,
        "duplicated": stats.duplicates,
        "out_of_order": stats.out_of_order,
        "server_cpu_cores": round(cpu / wall, 2),
        "server_cpu_us_per_delivery": round(cpu / max(1, stats.live_deliveries) * 1e6, 1),
        "server_cpu_ms_per_message": round(cpu / max(1, sent) * 1000, 2),
        "client_cpu_cores": round((time.process_time() - client_cpu0) / wall, 2),
        "stall": stall(stats, started) | {k: round(checkpoints[k] - checkpoints0[k], 1) for k in checkpoints},
        "timeline": timeline(stats, started, cpu_samples, db_samples),
    }
    return result, stats


async def sample_cpu(server: Server, samples: list, stop: asyncio.Event, every: float = 0.25) -> None:
    """The server's CPU time every `every` s (the timeline's per-second CPU)."""
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            pass
        samples.append((time.perf_counter(), server.cpu_seconds()))


PING = json.dumps({"type": "ping"})


async def probe_lag(client: Client, stats: Stats, stop: asyncio.Event, every: float = 0.1) -> None:
    """How late the server's event loop is: a `ping` every 100 ms on one socket, which the consumer
    answers with `pong` at once (no database, no rate limit); the round trip minus a millisecond or so
    is the time the frame waited for the loop (a GC pause, sync work on the loop, a backlog)."""
    while not stop.is_set():
        if client.connected.is_set():
            stats.pings.append(time.perf_counter())
            try:
                await client.ws.send(PING)
            except Exception:  # noqa: BLE001 — reconnecting: the probe waits
                stats.pings.clear()
        await asyncio.sleep(every)


def stall(stats: Stats, started: float) -> dict:
    """The worst pause seen: the longest time without any delivery while messages were outstanding, and
    the worst ping round trip (event loop lag), each with its moment (s after the step started)."""
    result: dict = {"longest_delivery_gap_ms": None, "delivery_gap_at_s": None}
    times = sorted(got for _sent, got in stats.deliveries)
    if len(times) > 1:
        gap, at = max((b - a, a) for a, b in zip(times, times[1:], strict=False))
        result.update(longest_delivery_gap_ms=round(gap * 1000, 1), delivery_gap_at_s=round(at - started, 1))
    if stats.pongs:
        at, worst = max(stats.pongs, key=lambda p: p[1])
        lags = [rtt for _at, rtt in stats.pongs]
        result.update(
            loop_lag_ms_p50=percentile(lags, 50),
            loop_lag_ms_max=round(worst, 1),
            loop_lag_at_s=round(at - started, 1),
            pings_unanswered=len(stats.pings),
        )
    return result


DB_WAITS = (
    "SELECT coalesce(wait_event_type || ':' || wait_event, 'running'), count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid() GROUP BY 1"
)


def sample_db_waits(samples: list, stop: asyncio.Event, every: float = 0.1) -> None:
    """In a thread: what the benchmark database's active sessions wait for, every 100 ms (IO:WALSync is
    a commit waiting for its WAL flush, Lock:transactionid a send waiting for another's conversation row,
    `running` a statement on the CPU). Its own connection, so that the samples never queue."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        while not stop.is_set():
            rows = conn.execute(DB_WAITS).fetchall()
            samples.append((time.perf_counter(), dict(rows)))
            time.sleep(every)


def timeline(
    stats: Stats, started: float, cpu_samples: list[tuple[float, float]], db_samples: list | None = None
) -> list[dict]:
    """Second by second: messages sent, latency of the deliveries of those messages, the server's CPU
    (cores), the worst ping round trip in that second and the database sessions' busiest waits (average
    number of sessions per wait). A stall shows as a run of bad seconds, and what the database did then."""
    end = max([cpu_samples[-1][0], *(got for _s, got in stats.deliveries)], default=started)
    seconds = int(end - started) + 1
    sent = [0] * seconds
    for at in stats.sent_at.values():
        sent[min(seconds - 1, int(at - started))] += 1
    latencies: list[list[float]] = [[] for _ in range(seconds)]
    for at, got in stats.deliveries:
        latencies[min(seconds - 1, int(at - started))].append((got - at) * 1000)
    lags: list[list[float]] = [[] for _ in range(seconds)]
    for at, rtt in stats.pongs:
        lags[min(seconds - 1, int(at - started))].append(rtt)
    waits: list[dict[str, int]] = [{} for _ in range(seconds)]
    counts = [0] * seconds
    for at, sample in db_samples or []:
        second = min(seconds - 1, max(0, int(at - started)))
        counts[second] += 1
        for wait, n in sample.items():
            waits[second][wait] = waits[second].get(wait, 0) + n
    rows = []
    for second in range(seconds):
        inside = [(t, c) for t, c in cpu_samples if started + second <= t <= started + second + 1]
        cores = None
        if len(inside) > 1:
            cores = round((inside[-1][1] - inside[0][1]) / max(1e-9, inside[-1][0] - inside[0][0]), 2)
        rows.append(
            {
                "t": second,
                "sent": sent[second],
                "p99_ms": percentile(latencies[second], 99),
                "max_ms": percentile(latencies[second], 100),
                "server_cpu_cores": cores,
                "loop_lag_ms_max": percentile(lags[second], 100),
                "db_sessions_waiting": {
                    wait: round(n / counts[second], 1)
                    for wait, n in sorted(waits[second].items(), key=lambda item: -item[1])[:3]
                }
                if counts[second]
                else None,
            }
        )
    return rows


def failure_reasons(step: dict, rate: float) -> list[str]:
    """Why a saturation step failed (empty: it passed). The criterion: p99 <= 250 ms, nothing lost or
    duplicated, and the client achieved the rate asked."""
    reasons = []
    if step["latency_ms_p99"] is None:
        reasons.append("nothing delivered")
    elif step["latency_ms_p99"] > 250:
        reasons.append(f"p99 {step['latency_ms_p99']} ms > 250 ms")
    if step["lost"]:
        reasons.append(f"lost {step['lost']} deliveries (not delivered by the end of the drain window)")
    if step["duplicated"]:
        reasons.append(f"duplicated {step['duplicated']} deliveries")
    if step["rate_achieved"] < 0.9 * rate:
        reasons.append(f"rate achieved {step['rate_achieved']} < 90 % of {rate}")
    return reasons


def restart_redis() -> None:
    log("  fault: redis-cli shutdown nosave")
    subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, check=False)
    time.sleep(1.0)
    subprocess.run(REDIS_START, capture_output=True, check=False)
    log("  fault: redis-server restarted")


async def scenario(name, application, processes, assignments, args, env, mode, rates, fault=False):
    """Start the server(s), connect every client, run the fixed rate, then the saturation search."""
    log(f"== {name}: {len(assignments)} clients, {processes} daphne process(es)")
    server = Server(application, processes, env)
    clients: list[Client] = []
    try:
        await asyncio.sleep(1.0)
        rss0 = server.rss()
        room_size: dict[int, int] = {}
        for index, (token, room) in enumerate(assignments):
            # "client": round-robin (a room's members on both processes, as behind a plain load balancer);
            # "room": every member of a room on the same process (what a conversation-affine router would do).
            port = server.ports[(room if args.spread == "room" else index) % processes]
            if mode == "maillage":
                url = f"ws://127.0.0.1:{port}/ws/"
            else:
                url = f"ws://127.0.0.1:{port}/echo/?room={room}"
            room_size[room] = room_size.get(room, 0) + 1
            clients.append(Client(index, url, token, room, mode, Stats(), room_size))
        connect = await connect_all(clients)
        if args.py_spy:
            server.start_profiles(args.py_spy, name)
        await asyncio.sleep(1.0)
        connected = len(clients) - connect["failed"]
        connect["server_rss_mb"] = round(server.rss() / 2**20, 1)
        connect["server_kb_per_connection"] = round((server.rss() - rss0) / max(1, connected) / 1024, 1)
        result = {
            "name": name,
            "processes": processes,
            "load_average_at_start": os.getloadavg(),
            "connect": connect,
        }
        if not args.storm_only:
            # Steady state: the connect's background work (each socket's membership revalidation, one
            # thread) ends before the measured traffic starts; how long it took is reported.
            cpu0 = server.cpu_seconds()
            connect["background_work_after_connect_s"] = await settle(server)
            connect["background_work_cpu_s"] = round(server.cpu_seconds() - cpu0, 2)
            log(f"  settled after connect in {connect['background_work_after_connect_s']} s")
        if args.storm_only:  # the storm alone (profiling, quick checks): no message traffic before it
            result["reconnect_storm"] = await storms(clients, server)
            result["load_average_at_end"] = os.getloadavg()
            log(f"  storm: {result['reconnect_storm']}")
            return result
        if fault:
            base = await asyncio.to_thread(room_last_seq)
            for client in clients:  # what the clients saw before: gaps are detected from there
                client.last_seq = client.base_seq = base.get(client.room, 0)
            run, _stats = await run_load(
                clients,
                Stats,
                room_size,
                args.rate,
                args.fault_duration,
                server,
                fault_at=args.fault_duration * 0.4,
            )
            await asyncio.sleep(2.0)
            for client in clients:  # everyone reconnected?
                await asyncio.wait_for(client.connected.wait(), 30)
            stored_before = await asyncio.to_thread(message_count)
            await asyncio.gather(*(c.catch_up() for c in clients))
            await asyncio.sleep(1.0)
            expected = sum(room_size[_stats.room_of[k]] for k in _stats.sent_at)
            have = sum(
                1 for c in clients for k in _stats.sent_at if _stats.room_of[k] == c.room and k in c.received
            )
            run.update(
                {
                    "reconnects": sum(c.reconnects for c in clients),
                    "lost_live": run["lost"],
                    "lost_after_sync": expected - have,
                    "messages_stored_before_catch_up": stored_before,
                }
            )
            result["fault_run"] = run
            return result
        run, _stats = await run_load(clients, Stats, room_size, args.rate, args.duration, server)
        result["fixed_rate"] = run
        log(
            f"  {args.rate} msg/s: p50 {run['latency_ms_p50']} p99 {run['latency_ms_p99']} ms, lost {run['lost']}"
        )
        steps = []
        saturation = None
        for rate in rates:
            if rate == args.rate:
                step = run
            else:
                await asyncio.sleep(2.0)
                step, _ = await run_load(clients, Stats, room_size, rate, args.sat_duration, server)
            reasons = failure_reasons(step, rate)
            ok = not reasons
            steps.append(
                {
                    k: step[k]
                    for k in (
                        "rate_target",
                        "rate_achieved",
                        "latency_ms_p50",
                        "latency_ms_p99",
                        "lost",
                        "duplicated",
                        "out_of_order",
                        "server_cpu_cores",
                        "server_cpu_us_per_delivery",
                        "server_cpu_ms_per_message",
                        "client_cpu_cores",
                        "started_at",
                        "stall",
                        "timeline",
                    )
                }
                | {"ok": ok, "failed_because": reasons}
            )
            log(
                f"  saturation step {rate} msg/s: p50 {step['latency_ms_p50']} p99 {step['latency_ms_p99']} ms,"
                f" {step['server_cpu_ms_per_message']} ms CPU/msg, stall {step['stall']}"
                + (f" FAILED: {'; '.join(reasons)}" if reasons else " ok")
            )
            if not ok:
                break
            saturation = rate
        result["saturation"] = {
            "steps": steps,
            "highest_ok_rate": saturation,
            "highest_ok_deliveries_per_s": saturation * args.members if saturation else None,
        }
        if args.storm:  # last: the storm leaves the clients in another state
            result["reconnect_storm"] = await storms(clients, server)
            log(f"  storm: {result['reconnect_storm']}")
        result["load_average_at_end"] = os.getloadavg()
        return result
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
        server.stop_profiles()
        server.stop()


async def main_async(args) -> dict:
    env = dict(
        os.environ,
        DATABASE_URL=os.environ.get("DATABASE_URL", DEFAULT_DB),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # Redis pub/sub channels are shared by every database number of a server: two benchmarks on one
        # Redis with the same prefix would receive each other's groups (conv.<id>, user.<id>).
        CHANNEL_LAYER_PREFIX=os.environ.get("CHANNEL_LAYER_PREFIX", "benchchat"),
        DJANGO_SETTINGS_MODULE="config.settings",
        LOG_LEVEL="ERROR",
        DB_CONN_MAX_AGE="600",
        MESSAGING_WS_RATE="50",
        PYTHONPATH=str(ROOT),
    )
    create_database(env["DATABASE_URL"])
    setup_django(
        {k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "CHANNEL_LAYER_PREFIX", "DJANGO_SETTINGS_MODULE")}
    )
    from django.conf import settings

    assignments = await asyncio.to_thread(prepare_data, args.clients, args.members)
    rates = sorted({args.rate, *[float(r) for r in args.rates.split(",") if r]})
    report = {
        "benchmark": "chat",
        "clients": args.clients,
        "members_per_conversation": args.members,
        "fixed_rate_msgs_per_s": args.rate,
        "duration_s": args.duration,
        "saturation_rule": "highest rate with p99 <= 250 ms, 0 lost (lost = not delivered by the end of the drain window), 0 duplicated, rate achieved",
        "channel_layer": {
            "maillage": settings.CHANNEL_LAYERS["default"]["BACKEND"],
            "bare": BARE_CHANNEL_LAYER,
        },
        "cpu_count": os.cpu_count(),
        "runs": [],
    }
    if not args.no_maillage:
        report["runs"].append(
            await scenario(
                "maillage", "config.asgi:application", 1, assignments, args, env, "maillage", rates
            )
        )
    if not args.no_bare:
        report["runs"].append(
            await scenario(
                "bare_channels", "tests.perf.chat:echo_application", 1, assignments, args, env, "bare", rates
            )
        )
    if args.processes >= 2:
        report["runs"].append(
            await scenario(
                "maillage_2proc", "config.asgi:application", 2, assignments, args, env, "maillage", rates
            )
        )
    by_name = {r["name"]: r for r in report["runs"]}
    if "maillage" in by_name and "bare_channels" in by_name and not args.storm_only:
        ours = by_name["maillage"]["saturation"]["highest_ok_rate"] or 0
        bare = by_name["bare_channels"]["saturation"]["highest_ok_rate"] or 0
        report["saturation_ratio_maillage_vs_bare"] = round(ours / bare, 2) if bare else None
    if not args.no_fault:
        fault_assignments = assignments[: args.fault_clients] if args.fault_clients else assignments
        try:
            report["runs"].append(
                await scenario(
                    "fault_redis_restart",
                    "config.asgi:application",
                    1,
                    fault_assignments,
                    args,
                    env,
                    "maillage",
                    rates,
                    fault=True,
                )
            )
        finally:
            ensure_redis()
    if all("reconnect_storm" in by_name.get(n, {}) for n in ("maillage", "bare_channels")):
        ours, bare = by_name["maillage"]["reconnect_storm"], by_name["bare_channels"]["reconnect_storm"]
        report["storm_maillage_vs_bare"] = {
            kind: {
                "all_connected_s": [ours[kind]["all_connected_s"], bare[kind]["all_connected_s"]],
                "handshake_ms_p99": [ours[kind]["handshake_ms_p99"], bare[kind]["handshake_ms_p99"]],
            }
            for kind in ours
        }
    report["redis_running_at_end"] = redis_ping()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--members", type=int, default=20, help="members per conversation")
    parser.add_argument(
        "--rate", type=float, default=50, help="aggregate messages per second (fixed-rate run)"
    )
    parser.add_argument("--duration", type=float, default=20, help="seconds of the fixed-rate run")
    parser.add_argument("--rates", default="75,100,125,150,200,300", help="saturation search steps (msgs/s)")
    parser.add_argument("--sat-duration", type=float, default=10, help="seconds per saturation step")
    parser.add_argument(
        "--processes", type=int, default=2, help="2: also run with clients over 2 daphne processes"
    )
    parser.add_argument(
        "--spread", choices=["client", "room"], default="client", help="how clients go to processes"
    )
    parser.add_argument("--fault-duration", type=float, default=15)
    parser.add_argument("--fault-clients", type=int, default=0, help="clients in the fault run (0: all)")
    parser.add_argument(
        "--storm", action="store_true", help="also measure a reconnect storm (maillage and bare runs)"
    )
    parser.add_argument(
        "--storm-only", action="store_true", help="connect, then the reconnect storm; no message traffic"
    )
    parser.add_argument(
        "--py-spy", metavar="DIR", help="record each daphne process with py-spy (speedscope files in DIR)"
    )
    parser.add_argument("--no-fault", action="store_true")
    parser.add_argument("--no-bare", action="store_true")
    parser.add_argument("--no-maillage", action="store_true")
    args = parser.parse_args()
    if args.storm_only:
        args.storm, args.no_fault = True, True
    try:
        report = asyncio.run(main_async(args))
    finally:
        ensure_redis()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
