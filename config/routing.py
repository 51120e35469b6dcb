"""Websocket routes: one socket per browser tab at /ws/, owned by the messaging app.

`on_connect`: the sockets' first database work, run with their authentication in one call for a batch of
handshakes (`federation.ws_auth.SocketAuthMiddleware`)."""

from messaging.routing import websocket_urlpatterns
from messaging.socket_work import connect_states as on_connect

__all__ = ("on_connect", "websocket_urlpatterns")
