"""Websocket routes: one socket per browser tab at /ws/, owned by the messaging app."""

from messaging.routing import websocket_urlpatterns

__all__ = ("websocket_urlpatterns",)
