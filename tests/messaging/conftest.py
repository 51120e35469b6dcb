"""Conversations built on the shared personas (tests/conftest.py `world`)."""

from dataclasses import dataclass

import pytest
from django.db import connection, connections

from messaging import services
from messaging.models import Conversation


@pytest.fixture(autouse=True)
def _no_persistent_connections(monkeypatch):
    """The consumer's ORM calls run in worker threads: with persistent connections those threads would
    keep sessions open on the test database, which could then not be dropped at the end."""
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)


@pytest.fixture(autouse=True)
def _end_worker_sessions(request, monkeypatch):
    """Each test gets its own pool of consumer database threads; afterwards the pool is shut down and, on
    PostgreSQL, the sessions its threads left open are ended (they would keep this worker's test database
    from being dropped at the end of the run)."""
    from federation import ws_auth
    from messaging import socket_work

    monkeypatch.setattr(ws_auth, "_executor", None)  # the socket path's database threads
    monkeypatch.setattr(ws_auth, "_background_executor", None)
    monkeypatch.setattr(socket_work, "_revalidated", {})  # each test's sockets revalidate on connect
    yield
    for executor in (ws_auth._executor, ws_auth._background_executor):
        if executor is not None:
            executor.shutdown(wait=True)
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")) or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )


@dataclass
class Chat:
    fed_channel: (
        Conversation  # federation-wide: member_a (CPTS A, admin: fed_coordinator) and member_b (CPTS B)
    )
    cpts_a_channel: Conversation  # general channel of CPTS A
    group: Conversation  # working group across CPTS A and B
    direct: Conversation  # member_a <-> member_b


@pytest.fixture
def chat(world) -> Chat:
    fed_channel = services.conversation_create(
        actor=world.fed_coordinator,
        kind=Conversation.Kind.FEDERATION,
        title="Toute la fédération",
        federation=world.fed,
        members=[world.member_a, world.member_b, world.coordinator_a],
    )
    cpts_a_channel = services.cpts_channel_sync(cpts=world.cpts_a)
    group = services.conversation_create(
        actor=world.coordinator_a,
        kind=Conversation.Kind.GROUP,
        title="Groupe SNP",
        federation=world.fed,
        members=[world.coordinator_b],
    )
    direct = services.conversation_create(
        actor=world.member_a, kind=Conversation.Kind.DIRECT, federation=world.fed, members=[world.member_b]
    )
    return Chat(fed_channel=fed_channel, cpts_a_channel=cpts_a_channel, group=group, direct=direct)
