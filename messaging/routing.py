"""Websocket routes of the messaging app, mounted by config/routing.py: the `/ws/` socket."""

import gc

from django.conf import settings
from django.urls import path

from messaging.consumers import ChatConsumer

websocket_urlpatterns = [path("ws/", ChatConsumer.as_asgi())]

if settings.MESSAGING_GC_FREEZE:
    # This module is imported once, when the ASGI application starts (daphne). Moving every object
    # loaded so far (Django, apps, URLconf) out of the collector's reach and collecting less often
    # cuts the full-collection pauses that set p99 at 1,000+ sockets (PERF-NOTES.md, point 4).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
