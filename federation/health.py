"""Liveness (`/healthz`) and readiness (`/readyz`) probes."""

import asyncio
import time
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "engine": connection.vendor}


async def _channel_layer_round_trip(layer) -> bool:
    # One event loop for the whole round trip: the pub-sub layer only delivers to live subscriptions.
    channel = await layer.new_channel()
    marker = uuid.uuid4().hex
    await layer.send(channel, {"type": "readyz.ping", "marker": marker})
    received = await asyncio.wait_for(layer.receive(channel), timeout=2)
    return received.get("marker") == marker


def _check_channel_layer() -> dict:
    layer = get_channel_layer()
    return {"ok": async_to_sync(_channel_layer_round_trip)(layer), "backend": type(layer).__name__}


def _check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    # The project's Celery app (config/celery.py, loaded with Django) is the current one: the base
    # layer reaches it without importing config.
    from celery import current_app

    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {"ok": True, "mode": "broker"}


CHECKS = {"database": _check_database, "channel_layer": _check_channel_layer, "broker": _check_broker}


@never_cache
def readyz(request):
    results, ready = {}, True
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            result = check()
        except Exception as exc:  # noqa: BLE001 — a probe reports any failure, it never raises
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
        ready = ready and result["ok"]
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503
    )
