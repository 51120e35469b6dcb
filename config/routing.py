"""Websocket routes: one socket per browser tab at /ws/, owned by the messaging app.

`on_connect`: the socket's first database work, run with its authentication in one call
(`federation.ws_auth.SocketAuthMiddleware`)."""

from messaging.routing import websocket_urlpatterns
from messaging.socket_work import connect_state as on_connect

__all__ = ("on_connect", "websocket_urlpatterns")
