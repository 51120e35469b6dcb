"""Websocket routes of the messaging app, mounted by config/routing.py: the `/ws/` socket."""

import asyncio
import gc
import sys
from pprint import pformat

from django.conf import settings
from django.urls import path

from messaging.consumers import ChatConsumer, close_all_for_restart

websocket_urlpatterns = [path("ws/", ChatConsumer.as_asgi())]


def _close_sockets_on_shutdown() -> None:
    """Under daphne, before the reactor stops (SIGTERM/SIGINT) and daphne cancels the consumers, close
    every open socket with 4012 "service restart" so that clients reconnect at once. Twisted waits for
    the returned Deferred (the close frames are flushed) before dropping the connections."""
    if "daphne.server" not in sys.modules:
        return  # another server (tests, uvicorn): nothing to hook
    from twisted.internet import defer, reactor

    def before_shutdown():
        return defer.Deferred.fromFuture(asyncio.ensure_future(close_all_for_restart()))

    reactor.addSystemEventTrigger("before", "shutdown", before_shutdown)


_close_sockets_on_shutdown()


def transport_max_bytes() -> int:
    """The largest websocket message the server reads at all. Frames above `MESSAGING_MAX_FRAME_BYTES`
    up to this size get the protocol's `frame_too_large` error frame (the socket stays open); above it
    the server closes with 1009 "message too big" and a reason instead of buffering it (PROTOCOL.md).
    Both come from the one setting, so they cannot disagree."""
    return settings.MESSAGING_MAX_FRAME_BYTES * 4


def _frame_limits_from_settings() -> None:
    """Daphne's own limits (1 MiB, from its command line, dropped with no close frame: 1006) replaced by
    `transport_max_bytes()`, whatever command line started daphne (Makefile, image, Kubernetes, tests):
    every websocket factory daphne configures gets them, with a proper close frame (`failByDrop=False`)."""
    if "daphne.server" not in sys.modules:
        return
    from daphne.ws_protocol import WebSocketFactory

    if getattr(WebSocketFactory, "_maillage_limits", False):
        return
    original = WebSocketFactory.setProtocolOptions

    def set_protocol_options(self, *args, **options):
        limit = transport_max_bytes()
        options.update(maxMessagePayloadSize=limit, maxFramePayloadSize=limit, failByDrop=False)
        return original(self, *args, **options)

    WebSocketFactory.setProtocolOptions = set_protocol_options
    WebSocketFactory._maillage_limits = True


_frame_limits_from_settings()


class _Pformatted:
    """pprint's text of a value, made only if it is written."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __str__(self) -> str:
        return pformat(self.value)


def _lazy_connection_debug_text() -> None:
    """autobahn pretty-prints its ~40 protocol options for a debug line on every new connection, whether
    debug lines are written or not: 6 % of daphne's time in a reconnect storm (tests/perf/chat.py --storm
    under py-spy). The text is now made only when the line is written."""
    if "daphne.server" not in sys.modules:
        return
    from autobahn.websocket import protocol

    protocol.pformat = _Pformatted


_lazy_connection_debug_text()

if settings.MESSAGING_GC_FREEZE:
    # This module is imported once, when the ASGI application starts (daphne). Moving every object
    # loaded so far (Django, apps, URLconf) out of the collector's reach and collecting less often
    # cuts the full-collection pauses that set p99 at 1,000+ sockets (PERF-NOTES.md, point 4).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
