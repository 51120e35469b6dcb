"""The connect path under a reconnect storm (issue 17, item 13): cheaper, with the same answers."""

import uuid

import pytest
from channels.db import database_sync_to_async

from messaging import selectors, services, socket_work
from tests.messaging.test_websocket import connect, next_of, send

pytestmark = [pytest.mark.django_db(transaction=True)]


def _store(author, conversation, body):
    services.message_send(actor=author, conversation=conversation, body=body, client_id=str(uuid.uuid4()))


def test_connect_state_compiled_once_gives_the_orm_answers(world, chat):
    _store(world.member_b, chat.fed_channel, "Bonjour à toutes")
    _store(world.member_b, chat.direct, "Un message direct")
    for user in (world.member_a, world.member_b, world.member_c):
        seqs, counts = selectors.connect_state(user)
        assert seqs == selectors.user_conversation_seqs(user)
        assert counts == selectors.unread_counts(user)
    seqs, counts = selectors.connect_state(world.member_a)  # compiled SQL reused, another user's id
    assert counts[str(chat.direct.pk)]["unread"] == 1
    # A batch of handshakes: one statement for several users, each one's own answers (mentions too).
    _store(world.member_a, chat.fed_channel, f"Pour @**{world.member_b.display_name}**")
    _store(world.coordinator_a, chat.fed_channel, f"Et pour @**{world.member_a.display_name}**")
    users = [world.member_a, world.member_b, world.coordinator_a, world.member_c, world.outsider]
    states = selectors.connect_states([user.pk for user in users])
    for user in users:
        assert states[user.pk] == (selectors.user_conversation_seqs(user), selectors.unread_counts(user))
    assert states[world.outsider.pk] == ({}, {})
    assert states[world.member_b.pk][1][str(chat.fed_channel.pk)]["mentions"] == 1
    assert states[world.member_a.pk][1][str(chat.fed_channel.pk)] == {
        "unread": 1,
        "mentions": 1,
        "last_read_seq": 2,
    }


async def test_a_sync_asking_nothing_newer_is_answered_without_the_database(world, chat, monkeypatch):
    calls = []
    original = socket_work.sync_batch
    monkeypatch.setattr(socket_work, "sync_batch", lambda *a: calls.append(a) or original(*a))
    await database_sync_to_async(_store)(world.member_a, chat.fed_channel, "Avant la reconnexion")
    last = await database_sync_to_async(selectors.user_conversation_seqs)(world.member_b)
    bob = await connect(world.member_b)
    await bob.send_json_to({"type": "sync", "since": {str(c): s for c, s in last.items()}})
    done = await next_of(bob, "sync.done")
    assert done == {"type": "sync.done", "last_seq": {str(c): s for c, s in last.items()}, "more": []}
    unread = await next_of(bob, "unread")
    expected = await database_sync_to_async(selectors.unread_counts)(world.member_b)
    assert unread["conversations"] == expected
    assert calls == []
    # Behind the connect state (a message stored before the socket opened): replayed from the database.
    await bob.send_json_to({"type": "sync", "since": {str(chat.fed_channel.pk): 0}})
    await next_of(bob, "sync.done")
    assert len(calls) == 1
    # A conversation that is not the socket's never takes the short cut: the database says not_member.
    await bob.send_json_to({"type": "sync", "since": {str(chat.cpts_a_channel.pk): 10**6}})
    error = await next_of(bob, "error")
    assert error["code"] == "not_member"
    await bob.disconnect()


async def test_after_a_live_message_a_sync_goes_to_the_database_again(world, chat, monkeypatch):
    calls = []
    original = socket_work.sync_batch
    monkeypatch.setattr(socket_work, "sync_batch", lambda *a: calls.append(a) or original(*a))
    alice = await connect(world.member_a)
    bob = await connect(world.member_b)
    await send(alice, chat.fed_channel, "Nouvelle réunion jeudi")
    got = await next_of(bob, "message.new")
    seq = got["message"]["seq"]
    await bob.send_json_to({"type": "sync", "since": {str(chat.fed_channel.pk): seq}})
    await next_of(bob, "sync.done")
    unread = await next_of(bob, "unread")
    assert unread["conversations"][str(chat.fed_channel.pk)]["unread"] == 1  # counted, not the connect's 0
    assert len(calls) == 1
    await alice.disconnect()
    await bob.disconnect()


def test_autobahn_connection_debug_text_is_made_only_when_written(monkeypatch):
    """Under daphne, each new connection's pretty-printed protocol options (a debug line, rarely written)
    cost 6 % of a reconnect storm: they are formatted only if the line is written."""
    import pprint
    import sys
    import types

    from autobahn.websocket import protocol

    from messaging import routing

    monkeypatch.setattr(protocol, "pformat", protocol.pformat)  # restored after the test
    monkeypatch.setitem(sys.modules, "daphne.server", sys.modules.get("daphne.server", types.ModuleType("d")))
    routing._lazy_connection_debug_text()
    options = [("autoPingInterval", 0, "WebSocketServerFactory"), ("maxFramePayloadSize", 65536, "x")]
    calls = []
    monkeypatch.setattr(routing, "pformat", lambda value: calls.append(value) or pprint.pformat(value))
    text = protocol.pformat(options)
    assert calls == []
    assert f"{text}" == pprint.pformat(options) and calls == [options]  # as the log line formats it
