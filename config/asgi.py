"""ASGI entry point: Django for HTTP, Channels for the `/ws/` websocket (served by daphne)."""

import os
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class SyncStackASGIHandler(ASGIHandler):
    """Django's ASGI handler for a site whose middleware and views are all synchronous.

    Each HTTP request costs one trip from the event loop to a thread and back, where Django's handler
    made several (~0.15 ms each under daphne) and started and joined a thread per request. Measured
    through daphne: /healthz 2.2 → 1.0 ms.

    - The request's synchronous part runs as under WSGI, in one call on the request's thread:
      `request_started`, the middleware chain and view as Django's synchronous stack, then
      `response.close()` (`request_finished`: database connections go back to the pool from the
      thread that used them). A streamed response is closed there too, after it has been sent.
      Django's async stack would go back and forth at each async-capable middleware, each
      `process_view` and the view, around the signals and the close; allauth's middleware and ours are
      synchronous anyway, so a fully asynchronous stack was not on offer.
    - A request's thread is reused by later requests (asgiref's ThreadSensitiveContext with an
      executor), one request at a time.
    - Unlike Django's, it does not watch for the client leaving while the view runs: a synchronous view
      cannot be interrupted anyway; the answer to a closed connection is dropped by the server.
    """

    max_idle_threads = 32  # threads kept for reuse; a burst above that gets fresh ones, let go after

    def __init__(self):
        super().__init__()
        self._idle_executors: list[ThreadPoolExecutor] = []  # only touched from the event loop

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = (
            self._idle_executors.pop()
            if self._idle_executors
            else ThreadPoolExecutor(max_workers=1, thread_name_prefix="django-request")
        )
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            if len(self._idle_executors) < self.max_idle_threads:
                self._idle_executors.append(executor)
            else:
                executor.shutdown(wait=False)

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        try:
            response = await sync_to_async(self.respond, thread_sensitive=True)(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if response.streaming:
                    await sync_to_async(response.close, thread_sensitive=True)()
        finally:
            body_file.close()

    def respond(self, scope, body_file):
        """The response to a request, everything synchronous done (a streamed one still to be sent)."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            response.close()  # its content is ready: sending it needs nothing more from the thread
        return response


django.setup(set_prefix=False)  # as django.core.asgi.get_asgi_application() does
django_asgi_app = SyncStackASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import on_connect, websocket_urlpatterns  # noqa: E402
from federation.ws_auth import TokenOrSessionAuthMiddlewareStack  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            TokenOrSessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns), on_connect=on_connect)
        ),
    }
)
