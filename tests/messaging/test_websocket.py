"""The /ws/ protocol with Channels' WebsocketCommunicator (acceptance list of issue 4)."""

import json
import time
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token

from config.asgi import application
from messaging import services
from messaging.consumers import ChatConsumer
from messaging.models import Message
from messaging.services import publish as publishing

pytestmark = [pytest.mark.django_db(transaction=True)]


async def connect(user):
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/")
    communicator.scope["user"] = user
    connected, _code = await communicator.connect(timeout=5)
    assert connected
    first = await communicator.receive_json_from(timeout=5)
    assert first["type"] == "unread"
    return communicator


async def send(communicator, conversation, body, client_id=None, reply_to=None):
    frame = {
        "type": "message.send",
        "conversation": conversation.pk,
        "body": body,
        "client_id": str(client_id or uuid.uuid4()),
        "reply_to": reply_to,
    }
    await communicator.send_json_to(frame)


async def message_row(message_id):
    return await database_sync_to_async(Message.objects.select_related("conversation").get)(pk=message_id)


async def next_of(communicator, kind, timeout=5):
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame


async def test_two_cpts_exchange_live_and_outsider_never_receives(world, chat):
    alice = await connect(world.member_a)  # CPTS Alpha
    bob = await connect(world.member_b)  # CPTS Bravo
    charlie = await connect(world.member_c)  # other federation
    await send(alice, chat.fed_channel, "Bonjour à toutes les CPTS !")
    got = await next_of(bob, "message.new")
    assert got["message"]["body"] == "Bonjour à toutes les CPTS !"
    assert got["message"]["author"]["id"] == world.member_a.pk
    assert got["message"]["seq"] == 1
    echo = await next_of(alice, "message.new")
    assert echo["message"]["id"] == got["message"]["id"]
    await send(bob, chat.fed_channel, "Bien reçu depuis Bravo", reply_to=got["message"]["id"])
    answer = await next_of(alice, "message.new")
    assert answer["message"]["reply_to"] == got["message"]["id"] and answer["message"]["seq"] == 2

    await send(charlie, chat.fed_channel, "Je m'invite")
    error = await charlie.receive_json_from(timeout=5)
    assert error["type"] == "error" and error["code"] == "not_member"
    assert "membre" in error["detail"]
    assert await charlie.receive_nothing(timeout=0.3)
    assert await database_sync_to_async(Message.objects.filter(body="Je m'invite").exists)() is False
    # The error did not close the socket: a later frame still gets an answer.
    await charlie.send_json_to({"type": "sync", "since": {}})
    assert (await charlie.receive_json_from(timeout=5))["type"] == "sync.done"
    for communicator in (alice, bob, charlie):
        await communicator.disconnect()


async def test_resend_with_same_client_id_yields_one_message(world, chat):
    alice = await connect(world.member_a)
    bob = await connect(world.member_b)
    client_id = uuid.uuid4()
    await send(alice, chat.fed_channel, "Réunion jeudi 14 h", client_id=client_id)
    first = await next_of(alice, "message.new")
    await send(alice, chat.fed_channel, "Réunion jeudi 14 h", client_id=client_id)
    again = await next_of(alice, "message.new")
    assert again["duplicate"] is True and again["message"]["id"] == first["message"]["id"]
    assert await bob.receive_json_from(timeout=5)  # the original
    assert await bob.receive_nothing(timeout=0.3)  # no second copy
    count = await database_sync_to_async(Message.objects.filter(client_id=client_id).count)()
    assert count == 1
    await alice.disconnect()
    await bob.disconnect()


async def test_sync_after_disconnect_replays_exactly_the_missed_messages_in_order(world, chat):
    bob = await connect(world.member_b)
    alice = await connect(world.member_a)
    await send(alice, chat.fed_channel, "message 1")
    seen = await next_of(bob, "message.new")
    await bob.disconnect()
    for index in range(2, 6):
        await send(alice, chat.fed_channel, f"message {index}")
        await next_of(alice, "message.new")
    await send(alice, chat.direct, "privé pendant ton absence")
    await next_of(alice, "message.new")

    bob = await connect(world.member_b)
    await bob.send_json_to(
        {"type": "sync", "since": {str(chat.fed_channel.pk): seen["message"]["seq"], str(chat.direct.pk): 0}}
    )
    replayed = []
    while True:
        frame = await bob.receive_json_from(timeout=5)
        if frame["type"] == "sync.done":
            break
        assert frame["type"] == "message.new"
        # A message published just before the reconnection may also arrive live (the client keeps the
        # highest seq per conversation and ignores repeats): count the replay itself.
        if frame.get("replay"):
            replayed.append(
                (frame["message"]["conversation"], frame["message"]["seq"], frame["message"]["body"])
            )
    fed = [r for r in replayed if r[0] == chat.fed_channel.pk]
    assert [r[2] for r in fed] == ["message 2", "message 3", "message 4", "message 5"]
    assert [r[1] for r in fed] == [2, 3, 4, 5]
    assert [r[2] for r in replayed if r[0] == chat.direct.pk] == ["privé pendant ton absence"]
    assert frame["last_seq"][str(chat.fed_channel.pk)] == 5 and frame["more"] == []
    unread = await bob.receive_json_from(timeout=5)
    assert unread["type"] == "unread" and unread["conversations"][str(chat.fed_channel.pk)]["unread"] == 5
    # A live message after the sync still arrives, once.
    await send(alice, chat.fed_channel, "message 6")
    live = await next_of(bob, "message.new")
    assert live["message"]["seq"] == 6
    assert await bob.receive_nothing(timeout=0.3)
    await alice.disconnect()
    await bob.disconnect()


async def test_unread_counts_follow_a_read_on_another_device(world, chat):
    alice = await connect(world.member_a)
    phone = await connect(world.member_b)
    laptop = await connect(world.member_b)
    await send(alice, chat.fed_channel, "Premier")
    await send(alice, chat.fed_channel, f"Deuxième, pour @**{world.member_b.display_name}**")
    await send(alice, chat.fed_channel, "Troisième")
    for _ in range(3):
        await next_of(laptop, "message.new")
    await phone.send_json_to({"type": "read", "conversation": chat.fed_channel.pk, "seq": 1})
    read = await next_of(laptop, "read.updated")
    assert read == {"type": "read.updated", "conversation": chat.fed_channel.pk, "seq": 1}
    counts = await next_of(laptop, "unread")
    assert counts["conversations"][str(chat.fed_channel.pk)]["unread"] == 2
    assert counts["conversations"][str(chat.fed_channel.pk)]["mentions"] == 1
    await phone.send_json_to({"type": "read", "conversation": chat.fed_channel.pk, "seq": 3})
    counts = await next_of(laptop, "unread")
    assert counts["conversations"][str(chat.fed_channel.pk)] == {
        "unread": 0,
        "mentions": 0,
        "last_read_seq": 3,
    }
    for communicator in (alice, phone, laptop):
        await communicator.disconnect()


async def test_removed_member_stops_receiving_at_once(world, chat):
    bob = await connect(world.member_b)
    alice = await connect(world.member_a)
    await database_sync_to_async(services.member_remove)(
        actor=world.fed_coordinator, conversation=chat.fed_channel, user=world.member_b
    )
    removed = await next_of(bob, "conversation.removed")
    assert removed["conversation"] == chat.fed_channel.pk
    await send(alice, chat.fed_channel, "Après le départ de Bob")
    await next_of(alice, "message.new")
    assert await bob.receive_nothing(timeout=0.3)
    await send(bob, chat.fed_channel, "Encore là ?")
    assert (await bob.receive_json_from(timeout=5))["code"] == "not_member"
    await alice.disconnect()
    await bob.disconnect()


async def test_errors_are_frames_and_never_close_the_socket(world, chat, settings):
    settings.MESSAGING_WS_BURST = 5
    settings.MESSAGING_WS_RATE = 1
    alice = await connect(world.member_a)
    await alice.send_to(text_data="pas du json")
    assert (await alice.receive_json_from(timeout=5))["code"] == "invalid_json"
    await send(alice, chat.fed_channel, "x" * 5000)
    error = await alice.receive_json_from(timeout=5)
    assert error["code"] == "body_too_long" and "trop long" in error["detail"]
    await alice.send_json_to(
        {"type": "message.send", "conversation": chat.fed_channel.pk, "body": "a", "client_id": "x"}
    )
    assert (await alice.receive_json_from(timeout=5))["code"] == "invalid_client_id"
    await alice.send_to(
        text_data=json.dumps({"type": "typing", "conversation": chat.fed_channel.pk, "pad": "y" * 20000})
    )
    assert (await alice.receive_json_from(timeout=5))["code"] == "frame_too_large"
    codes = []
    for _ in range(6):
        await alice.send_json_to({"type": "nope"})
        codes.append((await alice.receive_json_from(timeout=5))["code"])
    assert "rate_limited" in codes
    await alice.disconnect()


async def test_typing_reaches_the_others_only(world, chat):
    alice = await connect(world.member_a)
    bob = await connect(world.member_b)
    await alice.send_json_to({"type": "typing", "conversation": chat.direct.pk})
    typing = await bob.receive_json_from(timeout=5)
    assert typing["type"] == "typing" and typing["user"]["id"] == world.member_a.pk
    assert await alice.receive_nothing(timeout=0.3)
    await alice.disconnect()
    await bob.disconnect()


async def test_edit_and_delete_are_published(world, chat):
    alice = await connect(world.member_a)
    bob = await connect(world.member_b)
    await send(alice, chat.direct, "Rendez-vous à 9 h")
    message = (await next_of(bob, "message.new"))["message"]
    await database_sync_to_async(services.message_edit)(
        actor=world.member_a, message=await message_row(message["id"]), body="à 10 h"
    )
    updated = await next_of(bob, "message.updated")
    assert updated["message"]["body"] == "à 10 h" and updated["message"]["edited_at"]
    await database_sync_to_async(services.message_delete)(
        actor=world.member_a, message=await message_row(message["id"])
    )
    deleted = await next_of(bob, "message.deleted")
    assert deleted["message"]["id"] == message["id"]
    await alice.disconnect()
    await bob.disconnect()


async def test_full_application_rejects_anonymous_and_accepts_a_token(world, chat):
    anonymous = WebsocketCommunicator(application, "/ws/", headers=[(b"origin", b"http://127.0.0.1")])
    connected, _code = await anonymous.connect(timeout=5)
    assert not connected
    token = await database_sync_to_async(Token.objects.create)(user=world.member_b)
    client = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"origin", b"http://127.0.0.1"), (b"authorization", f"Token {token.key}".encode())],
    )
    connected, _code = await client.connect(timeout=5)
    assert connected
    unread = await client.receive_json_from(timeout=5)
    assert str(chat.fed_channel.pk) in unread["conversations"]
    await client.disconnect()
    foreign = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"origin", b"https://evil.example"), (b"authorization", f"Token {token.key}".encode())],
    )
    connected, _code = await foreign.connect(timeout=5)
    assert not connected


async def test_out_of_order_and_lost_publishes_are_delivered_in_order_once(
    world, chat, monkeypatch, settings
):
    from channels.layers import get_channel_layer

    settings.MESSAGING_GAP_WAIT_MS = 50
    bob = await connect(world.member_b)
    published = []
    monkeypatch.setattr(
        publishing, "to_conversation", lambda cid, frame, **extra: published.append((frame, extra))
    )
    for body in ("un", "deux", "trois"):
        await database_sync_to_async(services.message_send)(
            actor=world.member_a, conversation=chat.fed_channel, body=body, client_id=uuid.uuid4()
        )
    layer = get_channel_layer()

    async def publish(index):
        frame, extra = published[index]
        await layer.group_send(
            chat.fed_channel.group_name,
            {"type": "chat.forward", "conversation": chat.fed_channel.pk, "text": json.dumps(frame), **extra},
        )

    await publish(1)  # "deux" arrives first, "un" is late
    await publish(0)
    assert [(await bob.receive_json_from(timeout=5))["message"]["body"] for _ in range(2)] == ["un", "deux"]
    await publish(1)  # a repeat is never forwarded twice
    assert await bob.receive_nothing(timeout=0.2)
    # "trois" never published (e.g. Redis restarted): the next message reveals the gap, filled from the database.
    await database_sync_to_async(services.message_send)(
        actor=world.member_a, conversation=chat.fed_channel, body="quatre", client_id=uuid.uuid4()
    )
    await publish(3)
    bodies = [(await bob.receive_json_from(timeout=5))["message"]["body"] for _ in range(2)]
    assert bodies == ["trois", "quatre"]
    assert await bob.receive_nothing(timeout=0.2)
    await bob.disconnect()


async def test_access_revoked_removes_lost_conversations_and_closes_when_signed_out(world, chat):
    from federation import services as base_services

    alice = await connect(world.member_a)  # in the CPTS Alpha channel and the federation channel
    await database_sync_to_async(base_services.membership_remove)(
        actor=world.coordinator_a, cpts=world.cpts_a, user=world.member_a
    )
    removed = {(await next_of(alice, "conversation.removed"))["conversation"] for _ in range(3)}
    # CPTS Alpha was her only tie to the federation: every conversation of it goes too.
    assert removed == {chat.cpts_a_channel.pk, chat.fed_channel.pk, chat.direct.pk}
    bob = await connect(world.member_b)
    await send(bob, chat.fed_channel, "Alice ne doit plus voir ceci")
    await next_of(bob, "message.new")
    leaked = []
    while not await alice.receive_nothing(timeout=0.3):
        leaked.append(await alice.receive_json_from())
    assert leaked == []
    await database_sync_to_async(base_services.user_deactivate)(actor=world.staff, user=world.member_b)
    assert (await bob.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4401}
    await alice.disconnect()


async def test_reading_never_hits_the_sending_rate_limit_and_is_coalesced(world, chat, settings, monkeypatch):
    """Issue 17, item 8: after a reconnect that brought 80 messages, 80 `read` frames gave 40
    `rate_limited` errors and left 40 unread on every device. Read markers are not counted against the
    sending limit, and they are coalesced (the highest seq wins, one write at a time)."""
    from messaging import socket_work

    settings.MESSAGING_WS_BURST = 30
    settings.MESSAGING_WS_RATE = 10
    for index in range(80):
        await database_sync_to_async(services.message_send)(
            actor=world.member_a, conversation=chat.fed_channel, body=f"m{index}", client_id=uuid.uuid4()
        )
    writes = []
    real_read = socket_work.read

    def counting_read(user, conversation_id, seq):
        writes.append(seq)
        time.sleep(0.05)  # a slow database: frames pile up meanwhile
        return real_read(user, conversation_id, seq)

    monkeypatch.setattr(socket_work, "read", counting_read)
    phone = await connect(world.member_b)
    laptop = await connect(world.member_b)
    for seq in range(1, 81):
        await phone.send_json_to({"type": "read", "conversation": chat.fed_channel.pk, "seq": seq})
    counts = None
    while True:  # the laptop sees the counts fall to 0, whatever the number of intermediate frames
        frame = await next_of(laptop, "unread")
        counts = frame["conversations"][str(chat.fed_channel.pk)]
        if counts["last_read_seq"] == 80:
            break
    assert counts == {"unread": 0, "mentions": 0, "last_read_seq": 80}
    frames = []
    while not await phone.receive_nothing(timeout=0.3):
        frames.append(await phone.receive_json_from())
    assert [f for f in frames if f["type"] == "error"] == []
    assert len(writes) < 20 and writes == sorted(writes) and writes[-1] == 80  # coalesced, in order
    # Sending is still limited (a slow refill: a loaded machine may take seconds to store 40 messages).
    settings.MESSAGING_WS_RATE = 1
    codes = []
    for index in range(40):
        await send(phone, chat.fed_channel, f"rafale {index}")
    answered = 0  # every send answered, by its echo or an error (a pause under load is no end)
    while answered < 40:
        frame = await phone.receive_json_from(timeout=30)
        if frame["type"] == "error":
            codes.append(frame["code"])
            answered += 1
        elif frame["type"] == "message.new" and frame["message"]["body"].startswith("rafale"):
            answered += 1
    assert "rate_limited" in codes
    await phone.disconnect()
    await laptop.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_ping_is_answered_without_the_database_and_never_rate_limited(world, chat, settings):
    """Issue 17, item 9: a browser cannot see websocket pings, so its heartbeat is a `ping` frame; the
    answer must come even when the sending allowance is spent (a dead-socket check must not fail)."""
    settings.MESSAGING_WS_BURST = 2
    settings.MESSAGING_WS_RATE = 0.001
    socket = await connect(world.member_a)
    for _ in range(5):
        await socket.send_json_to({"type": "ping"})
        assert (await next_of(socket, "pong")) == {"type": "pong"}
    await socket.disconnect()


async def test_socket_frames_publish_from_the_event_loop_not_from_a_database_thread(world, chat, monkeypatch):
    """Issue 17, item 13: a send's publish went back to the event loop from the database thread
    (`async_to_sync`) and held the thread until the loop had run it; under load the socket's database
    threads spent most of their time waiting there and sends stalled for seconds. The services' events
    now come back with the database work and the consumer sends them itself."""
    from federation import events

    from_threads = []
    real = events.send_event_on_commit
    monkeypatch.setattr(publishing, "send_event_on_commit", lambda *a: from_threads.append(a) or real(*a))
    alice = await connect(world.member_a)
    bob = await connect(world.member_b)
    await send(alice, chat.fed_channel, "Bonjour")
    assert (await next_of(bob, "message.new"))["message"]["body"] == "Bonjour"
    echo = await next_of(alice, "message.new")
    await bob.send_json_to({"type": "typing", "conversation": chat.fed_channel.pk})
    assert (await next_of(alice, "typing"))["user"]["id"] == world.member_b.pk
    await bob.send_json_to(
        {"type": "read", "conversation": chat.fed_channel.pk, "seq": echo["message"]["seq"]}
    )
    assert (await next_of(bob, "read.updated"))["seq"] == echo["message"]["seq"]
    assert from_threads == []
    # The same services outside a socket (HTTP API, tasks) still publish on commit themselves.
    await database_sync_to_async(services.message_send)(
        actor=world.member_b, conversation=chat.fed_channel, body="Par l'API", client_id=uuid.uuid4()
    )
    assert (await next_of(alice, "message.new"))["message"]["body"] == "Par l'API"
    assert len(from_threads) == 1
    for communicator in (alice, bob):
        await communicator.disconnect()


def test_deferred_events_are_kept_only_once_committed(world, chat):
    """`publish.deferred()`: what a rolled-back transaction published is never handed to the caller."""
    from django.db import transaction

    with publishing.deferred() as events:
        with pytest.raises(RuntimeError), transaction.atomic():
            publishing.to_user(world.member_a.pk, {"type": "unread"})
            raise RuntimeError
        assert events == []
        with transaction.atomic():
            publishing.to_user(world.member_a.pk, {"type": "unread"})
            assert events == []  # not before the commit
    assert [groups for groups, _event in events] == [[f"user.{world.member_a.pk}"]]


async def test_socket_send_refusals_without_an_access_query(world, chat):
    """The `/ws/` send checks membership and archive state only in the statement that allocates the seq
    (issue 17 item 13): the same answers as with the access helper in front. A missing conversation and
    a former member get `not_member` (the latter even when resending one of their own messages); an
    archived conversation is read-only (`forbidden`), yet a resend of a stored message still gets it back."""
    alice = await connect(world.member_a)
    bob = await connect(world.member_b)
    client_id = uuid.uuid4()
    await send(bob, chat.fed_channel, "Avant", client_id=client_id)
    stored = (await next_of(bob, "message.new"))["message"]
    await alice.send_json_to(
        {"type": "message.send", "conversation": 987654, "body": "x", "client_id": str(uuid.uuid4())}
    )
    assert (await next_of(alice, "error"))["code"] == "not_member"
    await database_sync_to_async(services.conversation_archive)(
        actor=world.fed_coordinator, conversation=chat.fed_channel
    )
    await send(bob, chat.fed_channel, "Après l'archivage")
    assert (await next_of(bob, "error"))["code"] == "forbidden"
    await send(bob, chat.fed_channel, "Avant", client_id=client_id)
    again = await next_of(bob, "message.new")
    assert again["duplicate"] is True and again["message"]["id"] == stored["id"]
    await database_sync_to_async(services.conversation_archive)(
        actor=world.fed_coordinator, conversation=chat.fed_channel, archived=False
    )
    await database_sync_to_async(services.member_remove)(
        actor=world.fed_coordinator, conversation=chat.fed_channel, user=world.member_b
    )
    await send(bob, chat.fed_channel, "Avant", client_id=client_id)
    assert (await next_of(bob, "error"))["code"] == "not_member"
    assert await database_sync_to_async(Message.objects.filter(conversation=chat.fed_channel).count)() == 1
    for communicator in (alice, bob):
        await communicator.disconnect()
