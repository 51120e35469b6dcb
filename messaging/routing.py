"""Websocket routes of the messaging app, mounted by config/routing.py."""

websocket_urlpatterns: list = []
