"""The Redis pub-sub channel layer with shared subscriptions: one per process, not one per socket.

Why (issue 17, finding 13, measured with `tests/perf/chat.py --storm`): with channels_redis's
`RedisPubSubChannelLayer` every websocket pays two Redis subscriptions of its own, SUBSCRIBE at connect
and UNSUBSCRIBE at disconnect: its specific channel (`new_channel`) and its `user.<id>` group (one per
user, so never shared by two sockets of a process, unlike the `conv.<id>` groups). In a reconnect storm
(1,000 sockets) those writes were ~30 % of the event loop's active time (py-spy), and the server was
saturated: its CPU per reconnect was ~2.0 ms against ~1.16 ms for bare Channels, and the handshake p99
1.82 s against 0.89 s (target 1 s).

Here a process (one layer per event loop) subscribes once, on its first socket, with two patterns:
- `<prefix>specific.<process id>!*`: every specific channel of this process is named
  `<prefix>specific.<process id>!<n>` (Channels' "!" convention: the part before it says which process
  receives, the part after which consumer); a `send()` to it is still a PUBLISH to that full name, and
  the pattern message carries the full name, so the base class's dispatch finds the consumer's queue;
- `<prefix>__group__user.*` (the `pattern_groups` setting): joining or leaving such a group only updates
  the process's dictionary of groups; `group_send` is unchanged (PUBLISH to the group's channel). Each
  process receives every such group's messages and drops those for users it does not serve: cheap for
  per-user events, which is why the shared `conv.<id>` groups keep their own SUBSCRIBE.
Redis checks every pattern on each PUBLISH: a few per process, nothing to measure.

After a Redis restart nothing of ours is needed: redis-py's `PubSub` keeps its channels and patterns and
subscribes again to both when its connection comes back (`PubSub.on_connect`), which the base class's
receive loop triggers (tests/config/test_channel_layer.py restarts a Redis of its own).
"""

import asyncio
import itertools
import uuid

from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close, decode_hosts

_PUBLISH_BATCH = 500  # publishes per pipeline
_GLOB_SPECIAL = str.maketrans({c: "\\" + c for c in "\\*?[]^"})


def _glob_literal(text: str) -> str:
    """`text` as a literal inside a Redis glob pattern."""
    return text.translate(_GLOB_SPECIAL)


class _Shard(RedisSingleShardConnection):
    """A Redis connection of the layer that also holds pattern subscriptions, and that keeps its channel
    subscriptions in step with what the process wants in batches, without the lock for a channel
    already subscribed.

    channels_redis takes the shard's one `asyncio.Lock` for every publish, subscribe and unsubscribe,
    even to find a channel already subscribed, and sends one SUBSCRIBE per channel. In a reconnect storm
    the sockets' `group_add` of conversations already subscribed queued behind the lock, woken one per
    loop iteration: 1,500 iterations and 630 ms of a handshake's p50 (tests/perf/chat.py --storm, all
    at once); the first socket of each conversation then waited for every SUBSCRIBE before its own.

    Publishes likewise: those waiting go out together, in order, in one pipeline (`publish`).

    Here `_wanted` (changed at once by `subscribe` and `unsubscribe`) says what the process needs; a
    pass under the lock sends what differs from `_subscribed_to` (what Redis was told) as one
    UNSUBSCRIBE and one SUBSCRIBE. A channel leaves `_subscribed_to` before its UNSUBSCRIBE is sent, so
    `channel in _subscribed_to and channel in _wanted` always means "subscribed, and staying so".
    """

    def __init__(self, host, channel_layer):
        super().__init__(host, channel_layer)
        self._patterns: set[str] = set()
        self._wanted: set[str] = set()
        self._next_pass: asyncio.Future | None = None  # a pass asked for that has not taken the lock
        self._passes: set[asyncio.Task] = set()
        self._outbox: list[tuple[str, bytes, asyncio.Future]] = []  # publishes waiting, in order
        self._sender: asyncio.Task | None = None

    async def publish(self, channel, message):
        """Publishes go out in order, those waiting together in one pipeline (one round trip).

        channels_redis sent each alone under the shard's lock and waited for its reply before the next:
        a process then published at most once per event-loop iteration, and when the loop got busy the
        queue grew faster than it drained (tests/perf/chat.py saturation: latency collapsed at 150
        messages/s). One sender per shard keeps the order; each caller still gets its own error."""
        done = asyncio.get_running_loop().create_future()
        self._outbox.append((channel, message, done))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._send_outbox())
        await done

    async def _send_outbox(self) -> None:
        while self._outbox:
            batch, self._outbox = self._outbox[:_PUBLISH_BATCH], self._outbox[_PUBLISH_BATCH:]
            try:
                self._ensure_redis()
                async with self._redis.pipeline(transaction=False) as pipe:
                    for channel, message, _ in batch:
                        pipe.publish(channel, message)
                    await pipe.execute()
            except Exception as error:  # Redis down: every publish of the batch fails, as alone
                outcome = error
            else:
                outcome = None
            for _, _, done in batch:
                if done.done():  # its caller was cancelled: the message went (or failed) anyway
                    continue
                if outcome is None:
                    done.set_result(None)
                else:
                    done.set_exception(outcome)

    async def subscribe(self, channel):
        await self.subscribe_all({channel})

    async def subscribe_all(self, channels: set[str]) -> None:
        self._wanted |= channels
        if not channels <= self._subscribed_to:
            await self._apply()

    async def unsubscribe(self, channel):
        self._wanted.discard(channel)
        if channel in self._subscribed_to:
            await self._apply()

    async def _apply(self) -> None:
        """Wait for a pass that starts from now on (joining one that has not started yet)."""
        if self._next_pass is None:
            self._next_pass = asyncio.get_running_loop().create_future()
            task = asyncio.ensure_future(self._pass(self._next_pass))
            self._passes.add(task)  # referenced: the loop keeps only weak references to tasks
            task.add_done_callback(self._passes.discard)
        await asyncio.shield(self._next_pass)

    async def _pass(self, done: asyncio.Future) -> None:
        try:
            async with self._lock:
                self._next_pass = None  # what is asked from now on needs the next pass
                leave = self._subscribed_to - self._wanted
                join = self._wanted - self._subscribed_to
                if leave or join:
                    self._ensure_redis()
                    self._ensure_receiver()
                if leave:
                    self._subscribed_to -= leave
                    await self._pubsub.unsubscribe(*leave)
                if join:
                    await self._pubsub.subscribe(*join)
                    self._subscribed_to |= join
        except BaseException as error:  # Redis down: every socket waiting gets the error, as before
            if self._next_pass is done:
                self._next_pass = None
            done.set_exception(error)
            if isinstance(error, asyncio.CancelledError):
                raise
        else:
            done.set_result(None)

    async def psubscribe(self, patterns: list[str]) -> None:
        if self._patterns.issuperset(patterns):  # every socket but the first: no lock, no Redis
            return
        async with self._lock:
            missing = [p for p in patterns if p not in self._patterns]
            if missing:
                self._ensure_redis()
                self._ensure_receiver()
                await self._pubsub.psubscribe(*missing)
                self._patterns.update(missing)

    async def flush(self):
        await super().flush()
        self._patterns = set()
        self._wanted = set()


class SharedSubscriptionLoopLayer(RedisPubSubLoopLayer):
    def __init__(self, hosts=None, prefix="asgi", pattern_groups=(), **kwargs):
        super().__init__(hosts, prefix, **kwargs)
        self._shards = [_Shard(host, self) for host in decode_hosts(hosts)]
        self.local_prefix = f"{self.prefix}specific.{uuid.uuid4().hex}!"
        self._local_ids = itertools.count(1)
        self.pattern_groups = tuple(pattern_groups)
        self._patterns = [_glob_literal(self.local_prefix) + "*"] + [
            _glob_literal(self._get_group_channel_name(group)) + "*" for group in self.pattern_groups
        ]

    async def _subscribe_shared(self) -> None:
        # Every shard: `send` and `group_send` pick a shard by the channel's name.
        for shard in self._shards:
            await shard.psubscribe(self._patterns)

    async def _subscribe_to_channel(self, channel):
        if not channel.startswith(self.local_prefix):
            return await super()._subscribe_to_channel(channel)
        await self._subscribe_shared()
        self.channels[channel] = asyncio.Queue()

    async def new_channel(self, prefix="specific."):
        if prefix != "specific.":
            return await super().new_channel(prefix)
        channel = f"{self.local_prefix}{next(self._local_ids)}"
        await self._subscribe_to_channel(channel)
        return channel

    async def group_add(self, group, channel):
        if not group.startswith(self.pattern_groups):
            return await super().group_add(group, channel)
        if channel not in self.channels:
            raise RuntimeError("You can only call group_add() on channels that exist in-process.")
        await self._subscribe_shared()
        self.groups.setdefault(self._get_group_channel_name(group), set()).add(channel)

    async def group_add_many(self, groups, channel):
        """`group_add` of each group, their subscriptions sent together (a socket joins all its
        conversations at connect: one pass, not one after the other, on a process that has not
        subscribed to them yet)."""
        if channel not in self.channels:
            raise RuntimeError("You can only call group_add() on channels that exist in-process.")
        by_shard: dict[_Shard, set[str]] = {}
        for group in groups:
            group_channel = self._get_group_channel_name(group)
            self.groups.setdefault(group_channel, set()).add(channel)
            if not group.startswith(self.pattern_groups):
                by_shard.setdefault(self._get_shard(group_channel), set()).add(group_channel)
        await self._subscribe_shared()
        for shard, group_channels in by_shard.items():
            await shard.subscribe_all(group_channels)

    async def group_discard(self, group, channel):
        if not group.startswith(self.pattern_groups):
            return await super().group_discard(group, channel)
        group_channel = self._get_group_channel_name(group)
        members = self.groups.get(group_channel)
        if members is not None:
            members.discard(channel)
            if not members:
                del self.groups[group_channel]


class SharedSubscriptionChannelLayer(RedisPubSubChannelLayer):
    """`RedisPubSubChannelLayer` whose per-loop layer is `SharedSubscriptionLoopLayer`. CONFIG as the
    base class's, plus `pattern_groups`: prefixes of the groups served by one pattern subscription
    (settings: `user.`, federation.events.user_group)."""

    def _get_layer(self):
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = SharedSubscriptionLoopLayer(*self._args, **self._kwargs, channel_layer=self)
            self._layers[loop] = layer
            _wrap_close(self, loop)
            return layer
