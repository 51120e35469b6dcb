"""The HTTP side of config.asgi: Django's synchronous stack in one trip to a reused request thread."""

import asyncio
import io
import threading

import pytest
from django.core.signals import request_finished, request_started
from django.http import FileResponse, StreamingHttpResponse
from django.urls import include, path
from rest_framework.authtoken.models import Token

from config.asgi import SyncStackASGIHandler, application

pytestmark = pytest.mark.django_db(transaction=True)


def _scope(path, query=b"", headers=()):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _get(app, path, query=b"", headers=()):
    """One request through the ASGI application: (status, headers, body)."""
    done = asyncio.Event()
    incoming = [{"type": "http.request", "body": b"", "more_body": False}]
    sent = []

    async def receive():
        if incoming:
            return incoming.pop()
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(_scope(path, query, headers), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


def _threads_of_each_request():
    """Records, per request, the threads that ran request_started and request_finished."""
    seen = []

    def started(**kwargs):
        seen.append([threading.current_thread().name])

    def finished(**kwargs):
        seen[-1].append(threading.current_thread().name)

    return seen, started, finished


async def test_requests_run_in_one_reused_thread_off_the_event_loop():
    seen, started, finished = _threads_of_each_request()
    request_started.connect(started)
    request_finished.connect(finished)
    try:
        for _ in range(3):
            status, _headers, _body = await _get(application, "/healthz")
            assert status == 200
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    loop_thread = threading.current_thread().name
    # Start and end of a request (where database connections are closed) in the same thread, which
    # is not the event loop's; the next request reuses it instead of starting a thread.
    assert all(len(set(threads)) == 1 for threads in seen)
    assert loop_thread not in {threads[0] for threads in seen}
    assert len({threads[0] for threads in seen}) == 1


async def test_concurrent_requests_get_threads_of_their_own():
    handler = SyncStackASGIHandler()
    results = await asyncio.gather(*(_get(handler, "/healthz") for _ in range(4)))
    assert [status for status, _h, _b in results] == [200] * 4
    assert len(handler._idle_executors) == 4


async def test_api_through_asgi_keeps_authentication_and_security_headers(world):
    token = await Token.objects.acreate(user=world.member_a)
    status, _headers, _body = await _get(application, "/api/directory/search/", b"q=kine")
    assert status in (401, 403)
    status, headers, _body = await _get(
        application,
        "/api/directory/search/",
        b"q=kine",
        [(b"authorization", f"Token {token.key}".encode())],
    )
    assert status == 200
    assert "no-store" in headers["cache-control"]
    assert "camera=()" in headers["permissions-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in headers["content-security-policy"]


EVENTS = []


def _streamed(request):
    def parts():
        for n in range(3):
            EVENTS.append(("part", n, threading.current_thread().name))
            yield f"part {n};".encode()

    return StreamingHttpResponse(parts())


def _file(request):
    return FileResponse(io.BytesIO(b"x" * 200_000), filename="x.bin")


urlpatterns = [path("streamed", _streamed), path("file", _file), path("", include("config.urls"))]


@pytest.mark.urls(__name__)
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous iterators")
async def test_streamed_responses_are_sent_whole_then_closed_in_the_request_thread():
    EVENTS.clear()

    def finished(**kwargs):
        EVENTS.append(("finished", None, threading.current_thread().name))

    request_finished.connect(finished)
    try:
        status, _headers, body = await _get(application, "/streamed")
        file_status, file_headers, file_body = await _get(application, "/file")
    finally:
        request_finished.disconnect(finished)
    assert status == 200 and body == b"part 0;part 1;part 2;"
    assert [kind for kind, _n, _thread in EVENTS] == ["part", "part", "part", "finished", "finished"]
    assert len({thread for _kind, _n, thread in EVENTS}) == 1
    assert file_status == 200 and file_body == b"x" * 200_000
    assert file_headers["content-disposition"] == 'inline; filename="x.bin"'


async def test_bad_requests_are_answered_and_closed():
    seen, started, finished = _threads_of_each_request()
    request_started.connect(started)
    request_finished.connect(finished)
    try:
        # A request Django refuses before any view (undecodable query): a 400, closed like the others.
        status, _headers, _body = await _get(application, "/healthz", b"q=\xff")
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert status == 400
    assert [len(threads) for threads in seen] == [2]
