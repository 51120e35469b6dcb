"""Handshakes that wait for the database share one call (federation.ws_auth._Batches), with one
statement per kind for all of them: the same answers as one socket at a time (issue 17, item 13)."""

import asyncio
import datetime
import uuid

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from federation import ws_auth
from federation.selectors import federation_ids_of_users, user_federations
from federation.ws_auth import _Batches, authenticate_sockets
from messaging import selectors, services
from messaging.models import Conversation


def _token_scope(key: str) -> dict:
    return {"type": "websocket", "headers": [(b"authorization", f"Token {key}".encode())]}


@pytest.mark.django_db
def test_a_batch_of_handshakes_is_authenticated_as_each_alone(world, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    fresh = Token.objects.create(user=world.member_a).key
    other = Token.objects.create(user=world.coordinator_b).key
    expired = Token.objects.create(user=world.member_b)
    Token.objects.filter(pk=expired.pk).update(created=timezone.now() - datetime.timedelta(days=31))
    inactive = Token.objects.create(user=world.member_c).key
    world.member_c.is_active = False
    world.member_c.save(update_fields=["is_active"])
    session = SessionStore()
    session.update(
        {
            "_auth_user_id": str(world.bureau_a.pk),
            "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
            "_auth_user_hash": world.bureau_a.get_session_auth_hash(),
        }
    )
    session.save()
    scopes = [
        _token_scope(fresh),
        _token_scope(expired.key),
        _token_scope(inactive),
        _token_scope("inconnu"),
        _token_scope(""),
        {"type": "websocket", "headers": [], "session": SessionStore(session.session_key)},
        {"type": "websocket", "headers": []},  # no token, no session
        _token_scope(fresh),  # two tabs of one client
        _token_scope(other),
    ]
    users = [user for user, _refused in authenticate_sockets(scopes)]
    assert [user.pk for user in users] == [
        world.member_a.pk,
        None,
        None,
        None,
        None,
        world.bureau_a.pk,
        None,
        world.member_a.pk,
        world.coordinator_b.pk,
    ]
    settings.MFA_REQUIRED_ROLES = ["coordinator"]  # the policy is each socket's own
    refused = [refused for _user, refused in authenticate_sockets(scopes)]
    assert refused == [False] * 8 + [True]


@pytest.mark.django_db
def test_the_federations_of_several_users_are_each_ones(world):
    from federation.models import FederationMember

    # A CPTS that left the federation no longer brings it (left_on set).
    FederationMember.objects.filter(cpts=world.cpts_b).update(left_on=timezone.localdate())
    users = [
        world.member_a,
        world.member_b,
        world.coordinator_b,
        world.member_c,
        world.outsider,
        world.partner_delegate,
        world.fed_coordinator,
    ]
    batched = federation_ids_of_users([user.pk for user in users])
    for user in users:
        assert batched[user.pk] == sorted(f.pk for f in user_federations(user)), user
    assert batched[world.coordinator_b.pk] == [] and batched[world.outsider.pk] == []
    assert batched[world.member_c.pk] == [world.other_fed.pk]


async def test_handshakes_waiting_for_the_database_share_one_call():
    calls = []
    gate = asyncio.Event()

    async def waiting_call(scopes):
        calls.append([scope["n"] for scope in scopes])
        if len(calls) == 1:
            await gate.wait()  # the first call is under way while the others arrive
        return [scope["n"] * 10 for scope in scopes]

    batches = _Batches(lambda scopes: scopes, lanes=1, size=4)
    batches._call = waiting_call
    runs = [asyncio.ensure_future(batches.run({"n": 0}))]
    await asyncio.sleep(0.05)
    runs += [asyncio.ensure_future(batches.run({"n": n})) for n in range(1, 8)]
    await asyncio.sleep(0.05)
    runs[3].cancel()  # a client that went away while waiting: not asked for
    gate.set()
    results = await asyncio.gather(*runs, return_exceptions=True)
    assert calls == [[0], [1, 2, 4, 5], [6, 7]]  # alone at once, then the waiting ones together
    assert results[:3] == [0, 10, 20] and results[4:] == [40, 50, 60, 70]
    assert isinstance(results[3], asyncio.CancelledError)


async def test_a_failed_call_fails_its_handshakes_only():
    async def call(scopes):
        if any(scope["n"] == 1 for scope in scopes):
            raise ConnectionError("base de données indisponible")
        return [scope["n"] for scope in scopes]

    batches = _Batches(lambda scopes: scopes, lanes=1)
    batches._call = call
    assert await batches.run({"n": 0}) == 0
    with pytest.raises(ConnectionError):
        await batches.run({"n": 1})
    assert await batches.run({"n": 2}) == 2  # the lane is free again


@pytest.mark.django_db
def test_a_batch_of_handshakes_gets_each_socket_its_own_connect_state(world):
    """The middleware's one call for a batch: each accepted socket gets its user's own conversations,
    unread counts and governance groups; a refused or anonymous one gets none."""
    from config.routing import on_connect
    from federation.governance import realtime

    channel = services.conversation_create(
        actor=world.fed_coordinator,
        kind=Conversation.Kind.FEDERATION,
        federation=world.fed,
        title="Toute la fédération",
        members=[world.member_a, world.member_b, world.coordinator_a],
    )
    services.message_send(actor=world.member_b, conversation=channel, body="Bonjour", client_id=uuid.uuid4())
    people = [world.member_a, world.member_b, world.coordinator_a, world.member_c, world.member_a]
    scopes = [_token_scope(Token.objects.get_or_create(user=user)[0].key) for user in people]
    scopes.append(_token_scope("inconnu"))
    results = ws_auth.SocketAuthMiddleware(None, on_connect=on_connect)._authenticate_all(scopes)
    for (user, refused, state), person in zip(results, people, strict=False):
        seqs, groups, counts = state
        assert user.pk == person.pk and not refused
        assert seqs == selectors.user_conversation_seqs(person)
        assert counts == selectors.unread_counts(person)
        assert groups == sorted(realtime.groups_for(person))
    assert (
        results[0][2][2][str(channel.pk)]["unread"] == 1 and results[1][2][2][str(channel.pk)]["unread"] == 0
    )
    assert results[-1] == (results[-1][0], False, None) and not results[-1][0].is_authenticated


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's JIT")
@pytest.mark.django_db
def test_no_jit_compilation_on_the_application_connections():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
