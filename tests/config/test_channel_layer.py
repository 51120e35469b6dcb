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


async def test_sockets_cost_no_redis_subscription_of_their_own(layers):
    prefix, a, b = layers
    channels = [await a.new_channel() for _ in range(50)]
    for index, channel in enumerate(channels):
        await a.group_add(f"user.{index}", channel)
        await a.group_add("conv.1", channel)
    redis = aioredis.Redis.from_url(REDIS)
    try:
        subscribed = sorted(c.decode() for c in await redis.pubsub_channels(f"{prefix}*"))
    finally:
        await redis.aclose()
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
