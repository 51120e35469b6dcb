"""Fault cases of the infrastructure: the application recovers without being restarted."""

import json
import threading
import time
import urllib.error
import urllib.request

from django.db import connection
from rest_framework.authtoken.models import Token

from tests.system import services


def _get(url: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_postgres_restart_requests_fail_cleanly_then_recover(server, world):
    services.require_local_services()
    token = Token.objects.create(user=world.member_a)
    headers = {"Authorization": f"Token {token.key}"}
    assert _get(server + "/api/me/", headers)[0] == 200

    statuses, stop = [], threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                statuses.append(_get(server + "/api/me/", headers)[0])
            except OSError as error:  # a dropped connection would be a dirty failure
                statuses.append(f"connection error: {error}")
            time.sleep(0.05)

    thread = threading.Thread(target=hammer)
    thread.start()
    try:
        services.restart_postgres()
        time.sleep(1)
    finally:
        stop.set()
        thread.join()
    connection.close()  # this test process reconnects too

    assert statuses, "no request was made during the restart"
    assert all(status in (200, 500, 503) for status in statuses), statuses
    # The same daphne process serves again, no restart needed (health-checked connections).
    for _ in range(20):
        if _get(server + "/api/me/", headers)[0] == 200:
            break
        time.sleep(0.25)
    assert _get(server + "/api/me/", headers)[0] == 200
    assert json.loads(_get(server + "/readyz")[1])["checks"]["database"]["ok"] is True


def test_readyz_reports_redis_down_then_recovers(server):
    services.require_local_services()
    assert _get(server + "/readyz")[0] == 200
    services.stop_redis()
    try:
        status, body = _get(server + "/readyz")
        assert status == 503
        assert json.loads(body)["checks"]["channel_layer"]["ok"] is False
    finally:
        services.start_redis()
    for _ in range(40):
        if _get(server + "/readyz")[0] == 200:
            break
        time.sleep(0.25)
    assert _get(server + "/readyz")[0] == 200
