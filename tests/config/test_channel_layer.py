"""config.channel_layer against a real Redis: two layer objects are two server processes.

Redis: REDIS_URL, else 127.0.0.1:6379 (skipped if it does not answer); each test has its own prefix
(Redis pub/sub channels are shared by every database number). The restart test uses a Redis of its own.
"""

import asyncio
import os
import shutil
import time
import uuid

import pytest
from redis import asyncio as aioredis
from redis.exceptions import RedisError

from config.channel_layer import SharedSubscriptionChannelLayer
from tests.processes import PrivateRedis

REDIS = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(REDIS), reason=f"no Redis at {REDIS}")


def make_layer(prefix: str, url: str = REDIS) -> SharedSubscriptionChannelLayer:
    return SharedSubscriptionChannelLayer(hosts=[url], prefix=prefix, pattern_groups=["user."])


@pytest.fixture
async def layers():
    prefix = f"t{uuid.uuid4().hex[:12]}"
    a, b = make_layer(prefix), make_layer(prefix)
    yield prefix, a, b
    await a.flush()
    await b.flush()


async def received(layer, channel, timeout=2.0):
    return await asyncio.wait_for(layer.receive(channel), timeout)


async def nothing_for(layer, channel, seconds=0.3) -> bool:
    """Nothing arrives on `channel` (read from its queue: a cancelled receive() would drop the channel)."""
    await asyncio.sleep(seconds)
    return layer._get_layer().channels[channel].empty()


async def redis_subscriptions(prefix: str) -> list[str]:
    redis = aioredis.Redis.from_url(REDIS)
    try:
        return sorted(c.decode() for c in await redis.pubsub_channels(f"{prefix}*"))
    finally:
        await redis.aclose()


async def test_sockets_cost_no_redis_subscription_of_their_own(layers):
    prefix, a, b = layers
    channels = [await a.new_channel() for _ in range(50)]
    for index, channel in enumerate(channels):
        await a.group_add(f"user.{index}", channel)
        await a.group_add("conv.1", channel)
    subscribed = await redis_subscriptions(prefix)
    # Only the shared conversation group: no specific channel, no user group (two patterns instead).
    assert subscribed == [f"{prefix}__group__conv.1"]
    assert all("!" in channel and channel.startswith(f"{prefix}specific.") for channel in channels)


async def test_specific_channel_across_processes(layers):
    _, a, b = layers
    first, second = await a.new_channel(), await a.new_channel()
    other = await b.new_channel()
    await b.send(first, {"type": "hello", "n": 1})
    await a.send(other, {"type": "hello", "n": 2})
    assert await received(a, first) == {"type": "hello", "n": 1}
    assert await received(b, other) == {"type": "hello", "n": 2}
    assert await nothing_for(a, second)
    assert await nothing_for(a, first)  # once


async def test_user_group_reaches_only_its_sockets(layers):
    _, a, b = layers
    alice_a, bob_a = await a.new_channel(), await a.new_channel()
    alice_b = await b.new_channel()
    await a.group_add("user.1", alice_a)
    await a.group_add("user.2", bob_a)
    await b.group_add("user.1", alice_b)
    await b.group_send("user.1", {"type": "chat.user", "text": "pour 1"})
    assert (await received(a, alice_a))["text"] == "pour 1"
    assert (await received(b, alice_b))["text"] == "pour 1"
    assert await nothing_for(a, bob_a)
    assert await nothing_for(a, alice_a)  # once, though both processes listen to every user group
    await a.group_send("user.2", {"type": "chat.user", "text": "pour 2"})
    assert (await received(a, bob_a))["text"] == "pour 2"
    assert await nothing_for(a, alice_a) and await nothing_for(b, alice_b)


async def test_group_discard(layers):
    _, a, b = layers
    alice_a, alice_a2 = await a.new_channel(), await a.new_channel()
    alice_b = await b.new_channel()
    for layer, channel in ((a, alice_a), (a, alice_a2), (b, alice_b)):
        await layer.group_add("user.1", channel)
        await layer.group_add("conv.7", channel)
    await a.group_discard("user.1", alice_a)
    await a.group_discard("conv.7", alice_a)
    await a.group_discard("user.1", alice_a)  # twice: nothing happens
    for group in ("user.1", "conv.7"):
        await b.group_send(group, {"type": "x", "group": group})
        assert (await received(a, alice_a2))["group"] == group
        assert (await received(b, alice_b))["group"] == group
        assert await nothing_for(a, alice_a)
    await a.group_discard("user.1", alice_a2)
    assert "user.1" not in str(a._get_layer().groups)  # the last socket gone: no entry left
    await b.group_send("user.1", {"type": "x"})
    assert (await received(b, alice_b))["type"] == "x"
    assert await nothing_for(a, alice_a2)


async def test_a_group_already_subscribed_is_joined_without_the_lock(layers):
    """channels_redis took the shard's lock for every group_add: in a reconnect storm the sockets joining
    conversations already subscribed queued behind it, one per loop iteration (tests/perf/chat.py)."""
    _, a, _ = layers
    first, second = await a.new_channel(), await a.new_channel()
    await a.group_add("conv.1", first)
    shard = a._get_layer()._shards[0]
    async with shard._lock:  # a SUBSCRIBE or a publish under way
        await asyncio.wait_for(a.group_add("conv.1", second), 0.5)
        joined_new = asyncio.ensure_future(a.group_add("conv.2", second))
        await asyncio.sleep(0.1)
        assert not joined_new.done()  # a group not yet subscribed waits for its SUBSCRIBE
    await asyncio.wait_for(joined_new, 2)


async def test_a_socket_joins_all_its_groups_in_one_subscribe(layers):
    prefix, a, b = layers
    channel = await a.new_channel()
    shard = a._get_layer()._shards[0]
    sent = []
    shard._ensure_redis()
    subscribe = shard._pubsub.subscribe

    async def counted(*channels):
        sent.append(channels)
        return await subscribe(*channels)

    shard._pubsub.subscribe = counted
    await a.group_add_many(["user.5", "conv.1", "conv.2", "conv.3", "federation.1"], channel)
    assert len(sent) == 1 and len(sent[0]) == 4  # the user group is the process's pattern
    assert await redis_subscriptions(prefix) == [
        f"{prefix}__group__{g}" for g in ("conv.1", "conv.2", "conv.3", "federation.1")
    ]
    for group in ("user.5", "conv.2", "federation.1"):
        await b.group_send(group, {"type": "x", "group": group})
        assert (await received(a, channel))["group"] == group


async def test_joining_while_the_last_member_leaves_keeps_the_subscription(layers):
    """The last socket of a conversation leaves (UNSUBSCRIBE asked) and another joins before it is sent
    (a tab reloaded): the group stays subscribed, whatever order the two requests are sent in."""
    prefix, a, b = layers
    leaving, joining = await a.new_channel(), await a.new_channel()
    await a.group_add("conv.9", leaving)
    left = asyncio.ensure_future(a.group_discard("conv.9", leaving))
    await a.group_add("conv.9", joining)
    await left
    assert await redis_subscriptions(prefix) == [f"{prefix}__group__conv.9"]
    await b.group_send("conv.9", {"type": "x"})
    assert (await received(a, joining))["type"] == "x"
    await a.group_discard("conv.9", joining)
    assert await redis_subscriptions(prefix) == []  # the last one gone: unsubscribed


async def test_many_sockets_joining_at_once_all_receive(layers):
    _, a, b = layers
    channels = [await a.new_channel() for _ in range(60)]
    await asyncio.gather(
        *(a.group_add_many([f"user.{i}", f"conv.{i % 7}"], c) for i, c in enumerate(channels))
    )
    await asyncio.gather(*(a.group_discard(f"conv.{i % 7}", c) for i, c in enumerate(channels[:30])))
    for conversation in range(7):
        await b.group_send(f"conv.{conversation}", {"type": "x", "conv": conversation})
    for i, channel in enumerate(channels[30:], start=30):
        assert (await received(a, channel))["conv"] == i % 7


async def test_publishes_sent_together_arrive_in_order(layers):
    """Publishes waiting for the shard go out together in one pipeline, in the order they were asked:
    a conversation's messages are never reordered by it."""
    _, a, b = layers
    channel = await a.new_channel()
    await a.group_add("conv.3", channel)
    shard = b._get_layer()._shards[0]
    pipelines = []
    shard._ensure_redis()
    original = shard._redis.pipeline

    def counted(*args, **kwargs):
        pipelines.append(1)
        return original(*args, **kwargs)

    shard._redis.pipeline = counted
    await asyncio.gather(*(b.group_send("conv.3", {"type": "x", "n": n}) for n in range(300)))
    assert [(await received(a, channel))["n"] for _ in range(300)] == list(range(300))
    assert len(pipelines) < 10  # not one round trip each


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server not installed")
async def test_shared_subscriptions_come_back_after_a_redis_restart():
    redis = PrivateRedis()
    redis.start()
    a, b = make_layer("restart", redis.url), make_layer("restart", redis.url)
    try:
        alice = await a.new_channel()
        await a.group_add("user.1", alice)
        await a.group_add("conv.1", alice)
        await b.send(alice, {"type": "before"})
        assert (await received(a, alice))["type"] == "before"
        await asyncio.to_thread(redis.stop)
        await asyncio.sleep(0.5)  # the receive loop sees the connection drop
        failed = await asyncio.gather(
            *(b.group_send("conv.1", {"type": "lost"}) for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(error, RedisError) for error in failed)  # each caller hears of it
        await asyncio.to_thread(redis.start)
        # Pub/sub keeps nothing: publish until the subscriptions are back (redis-py re-subscribes).
        for target, send in (
            ("specific", lambda: b.send(alice, {"type": "specific"})),
            ("user", lambda: b.group_send("user.1", {"type": "user"})),
            ("conv", lambda: b.group_send("conv.1", {"type": "conv"})),
        ):
            deadline = time.monotonic() + 15
            while True:
                try:
                    await send()
                except RedisError:  # the publishing connection comes back too
                    pass
                await asyncio.sleep(0.3)
                got = drain(a, alice)
                if got:
                    assert set(got) == {target}
                    break
                assert time.monotonic() < deadline, f"{target}: nothing after the restart"
        # And once each, not twice (no subscription doubled by the restart).
        await b.group_send("user.1", {"type": "user"})
        assert (await received(a, alice))["type"] == "user"
        assert await nothing_for(a, alice)
    finally:
        await a.flush()
        await b.flush()
        await asyncio.to_thread(redis.stop)


def drain(layer, channel) -> list[str]:
    """The types of the messages waiting on `channel` (a cancelled receive() would drop the channel)."""
    queue = layer._get_layer().channels[channel]
    got = []
    while not queue.empty():
        got.append(layer.deserialize(queue.get_nowait())["type"])
    return got
