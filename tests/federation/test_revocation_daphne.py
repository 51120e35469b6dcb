"""Issue 17, item 7, against a real daphne: revocation reaches open sockets within a second, whatever path
revoked the access. The revocations go through daphne's own HTTP side (the API, the admin change form), as a
person would do them; the sockets are real websocket clients (`websockets`).

Needs PostgreSQL (daphne shares the test database): `DATABASE_URL=postgres://…`; skipped on SQLite.
"""

import asyncio
import re
import time

import pytest
import requests
from django.test import Client
from rest_framework.authtoken.models import Token

from tests import processes

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(tmp_path):
    processes.require_postgres()
    with processes.daphne(tmp_path) as base:
        yield base


async def _open(base: str, token: str):
    import websockets

    ws = await websockets.connect(
        base.replace("http", "ws") + "/ws/",
        additional_headers={"Authorization": f"Token {token}"},
        origin="http://127.0.0.1",
        open_timeout=10,
    )
    return ws


async def _close_code_within(ws, seconds: float) -> int | None:
    """Read frames until the server closes; the close code, or None if still open after `seconds`."""
    import websockets

    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            await asyncio.wait_for(ws.recv(), left)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    except TimeoutError:
        return None
    return None


def _delete(base, path, token):
    return requests.delete(base + path, headers={"Authorization": f"Token {token}"}, timeout=10)


def test_revoking_a_token_through_the_api_closes_its_socket_within_a_second(world, server):
    key = Token.objects.create(user=world.member_a).key

    async def scenario():
        ws = await _open(server, key)
        await asyncio.wait_for(ws.recv(), 10)  # unread
        started = time.monotonic()
        response = await asyncio.to_thread(_delete, server, f"/api/me/tokens/{key[:8]}/", key)
        assert response.status_code == 204
        code = await _close_code_within(ws, 1.0)
        return code, time.monotonic() - started

    code, elapsed = asyncio.run(scenario())
    print(
        f"token revoked through the API → close {code} after {elapsed * 1000:.0f} ms (HTTP answer included)"
    )
    assert code == 4401 and elapsed < 1.5, (code, elapsed)


def test_deactivating_through_the_admin_change_form_closes_sockets_within_a_second(world, server):
    key = Token.objects.create(user=world.member_a).key
    world.staff.is_superuser = True
    world.staff.save()
    browser = Client()
    browser.force_login(world.staff)  # the session lives in the shared database
    session = requests.Session()
    session.cookies.set("sessionid", browser.cookies["sessionid"].value)
    url = f"{server}/admin/federation/user/{world.member_a.pk}/change/"
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.text[:500]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    form = {
        "csrfmiddlewaretoken": csrf,
        "email": world.member_a.email,
        "display_name": world.member_a.display_name,
        # "is_active" left out: unticked, as a staff member would
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "00:00:00",
    }

    async def scenario():
        ws = await _open(server, key)
        await asyncio.wait_for(ws.recv(), 10)
        started = time.monotonic()
        response = await asyncio.to_thread(
            session.post, url, data=form, headers={"Referer": url}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text[:2000]
        code = await _close_code_within(ws, 1.0)
        return code, time.monotonic() - started

    code, elapsed = asyncio.run(scenario())
    print(f"admin form deactivation → close {code} after {elapsed * 1000:.0f} ms (HTTP answer included)")
    assert code == 4401 and elapsed < 1.5, (code, elapsed)
    world.member_a.refresh_from_db()
    assert world.member_a.is_active is False


def test_removing_a_member_through_the_api_takes_the_cpts_channel_away_within_a_second(world, server):
    from messaging import services as chat

    channel = chat.cpts_channel_sync(cpts=world.cpts_a)
    key = Token.objects.create(user=world.member_a).key
    coordinator = Token.objects.create(user=world.coordinator_a).key

    async def scenario():
        import json

        ws = await _open(server, key)
        unread = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert str(channel.pk) in unread["conversations"]
        started = time.monotonic()
        response = await asyncio.to_thread(
            _delete, server, f"/api/cpts/alpha/members/{world.member_a.pk}/", coordinator
        )
        assert response.status_code == 204
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
            if frame["type"] == "conversation.removed":
                return frame, time.monotonic() - started

    frame, elapsed = asyncio.run(scenario())
    print(f"member removed through the API → conversation.removed after {elapsed * 1000:.0f} ms")
    assert frame["conversation"] == channel.pk and elapsed < 1.0
