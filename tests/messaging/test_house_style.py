"""Issue 14 for messaging: exact query counts (API lists, a message sent over /ws/), the one error shape
for service and field errors, forbidden writes that change nothing, typed OpenAPI answers; issue 17 item
12 (a JSON list body is a 400, never a 500)."""

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from messaging import consumers, services
from messaging.models import Conversation, ConversationMember, Message
from tests.messaging.test_websocket import connect, next_of, send

pytestmark = pytest.mark.django_db


def say(user, conversation, body):
    return services.message_send(actor=user, conversation=conversation, body=body, client_id=uuid.uuid4())[0]


def _bigger(world, chat):
    """More conversations and messages must not mean more queries."""
    for index in range(4):
        services.conversation_create(
            actor=world.member_a,
            kind=Conversation.Kind.GROUP,
            title=f"Groupe {index}",
            federation=world.fed,
            members=[world.member_b],
        )
    for index in range(6):
        say(world.member_a, chat.fed_channel, f"message {index} @**{world.member_b.display_name}**")
    say(world.member_a, chat.direct, "privé")


# Exact budgets (force_authenticate: no authentication query). A change here is a change of behaviour:
# look at the queries before moving the number.
LIST_BUDGETS = [
    # memberships with unread/mention counts (1) + members of every conversation, to name direct ones (1)
    ("api-messaging-conversations", {}, {}, 2),
    # candidates (1) + the joining rule once per (kind, federation): more groups, same count
    ("api-messaging-joinable", {}, {}, None),
    # access (1) + page (1) + mentions (1) + attachments (1); their versions when there are some (1)
    ("api-messaging-messages", {"pk": "fed"}, {}, 4),
    # matching messages (1) + attachments (1); their versions when there are some (1)
    ("api-messaging-search", {}, {"q": "message"}, 2),
    ("api-messaging-unread", {}, {}, 1),
]


@pytest.mark.parametrize(("name", "kwargs", "query", "budget"), LIST_BUDGETS)
def test_list_endpoints_make_an_exact_number_of_queries(
    world, chat, api, django_assert_num_queries, name, kwargs, query, budget
):
    _bigger(world, chat)
    kwargs = {key: chat.fed_channel.pk for key in kwargs}
    client = api(world.member_b)
    url = reverse(name, kwargs=kwargs)
    if budget is None:  # one query per (kind, federation) of the candidates: more of the same, same count

        def open_group(title):
            services.conversation_create(
                actor=world.coordinator_a,
                kind=Conversation.Kind.GROUP,
                title=title,
                federation=world.fed,
                is_open=True,
            )

        open_group("Ouvert 1")
        with CaptureQueriesContext(connection) as small:
            assert client.get(url, query).status_code == 200
        for index in range(2, 6):
            open_group(f"Ouvert {index}")
        with CaptureQueriesContext(connection) as larger:
            titles = [row["title"] for row in client.get(url, query).json()["results"]]
        assert {f"Ouvert {i}" for i in range(1, 6)} <= set(titles)
        assert len(larger) == len(small) <= 3
        return
    with django_assert_num_queries(budget):
        response = client.get(url, query)
    assert response.status_code == 200
    assert response.json()


def test_people_list_exact_queries(world, chat, api, django_assert_num_queries):
    client = api(world.member_a)
    url = reverse("api-messaging-people", kwargs={"federation_slug": world.fed.slug})
    # access_federation (1: the federation and the user's part in it may take 2) + people (1)
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    with django_assert_num_queries(len(first)):
        names = [p["name"] for p in client.get(url, {"q": ""}).json()["results"]]
    assert len(first) <= 4 and names


@pytest.mark.django_db(transaction=True)
async def test_sending_a_message_over_the_socket_makes_an_exact_number_of_queries(world, chat, monkeypatch):
    """Counts the queries of the consumer's database work (each `db()` call, in its worker thread)."""
    counted: list[tuple[str, list[str]]] = []

    def counting_db(function):
        def run(*args, **kwargs):
            with CaptureQueriesContext(connection) as queries:
                try:
                    return function(*args, **kwargs)
                finally:
                    counted.append((function.__name__, [q["sql"] for q in queries.captured_queries]))

        return database_sync_to_async(run)

    alice = await connect(world.member_a)
    bob = await connect(world.member_b)
    monkeypatch.setattr(consumers, "db", counting_db)
    await send(alice, chat.fed_channel, "Bonjour")
    assert (await next_of(bob, "message.new"))["message"]["body"] == "Bonjour"
    await next_of(alice, "message.new")
    for _ in range(50):
        sends = [sqls for name, sqls in counted if name == "send"]
        if sends:
            break
        await asyncio.sleep(0.02)
    assert len(sends) == 1
    # The seq allocated with the membership/archive check (1: no access helper query before it, issue 17
    # item 13), the message (1), the sender's read marker (1, in the allocating statement on
    # PostgreSQL); transaction statements aside.
    base = 2 if connection.vendor == "postgresql" else 3
    statements = [
        sql for sql in sends[0] if not sql.upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))
    ]
    assert len(statements) == base, statements
    # With a mention: one more to resolve the names, one to store the mention.
    counted.clear()
    await send(alice, chat.fed_channel, f"Pour @**{world.member_b.display_name}**")
    await next_of(bob, "message.new")
    await next_of(alice, "message.new")
    for _ in range(50):  # the echo leaves on commit, a moment before the count is recorded
        sends = [sqls for name, sqls in counted if name == "send"]
        if sends:
            break
        await asyncio.sleep(0.02)
    statements = [
        sql for sql in sends[0] if not sql.upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))
    ]
    assert len(statements) == base + 2, statements
    # A stranger's send: refused after two queries (the allocating statement changes nothing, then the
    # membership answers 404), nothing written.
    charlie = await connect(world.member_c)
    counted.clear()
    await send(charlie, chat.fed_channel, "intrus")
    assert (await next_of(charlie, "error"))["code"] == "not_member"
    await asyncio.sleep(0.05)
    refused = [
        [sql for sql in sqls if not sql.upper().startswith(("BEGIN", "ROLLBACK"))]
        for name, sqls in counted
        if name == "send"
    ]
    assert [len(sqls) for sqls in refused] == [2], refused
    assert await database_sync_to_async(Message.objects.filter(body="intrus").exists)() is False
    for communicator in (alice, bob, charlie):
        await communicator.disconnect()


def test_service_error_and_field_error_share_one_shape(world, chat, api):
    client = api(world.fed_coordinator)
    # A service error (a rule): not eligible to join.
    url = reverse("api-messaging-members", kwargs={"pk": chat.fed_channel.pk})
    response = client.post(url, {"user": world.member_c.pk}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert body["code"] == "not_eligible" and "ne peut pas rejoindre" in body["detail"]
    assert body["fields"] == {"user": [body["detail"]]}
    # A field error (DRF's validation): same shape.
    response = client.post(url, {"user": "abc"}, format="json")
    body = response.json()
    assert response.status_code == 400 and set(body) == {"detail", "code", "fields"}
    assert body["code"] == "invalid" and list(body["fields"]) == ["user"]
    # A service error tied to a field of the message body.
    messages_url = reverse("api-messaging-messages", kwargs={"pk": chat.fed_channel.pk})
    response = client.post(messages_url, {"body": "x" * 5000, "client_id": str(uuid.uuid4())}, format="json")
    body = response.json()
    assert body["code"] == "body_too_long" and "trop long" in body["detail"] and "body" in body["fields"]
    # Not found and forbidden: same shape too.
    body = client.get(reverse("api-messaging-conversation", kwargs={"pk": 999999})).json()
    assert body["code"] == "not_found" and body["fields"] == {}


def test_forbidden_writes_change_nothing(world, chat, api):
    message = say(world.member_a, chat.fed_channel, "Original")
    before = {
        "members": sorted(chat.fed_channel.memberships.values_list("user_id", "is_admin")),
        "archived": chat.fed_channel.archived_at,
        "last_seq": Conversation.objects.get(pk=chat.fed_channel.pk).last_seq,
    }
    plain = api(world.member_b)  # a plain member of the federation channel
    stranger = api(world.member_c)  # another federation
    pk = chat.fed_channel.pk
    attempts = [
        (plain, "post", reverse("api-messaging-archive", kwargs={"pk": pk}), {"archived": True}, 403),
        (stranger, "post", reverse("api-messaging-archive", kwargs={"pk": pk}), {"archived": True}, 404),
        (
            plain,
            "post",
            reverse("api-messaging-members", kwargs={"pk": pk}),
            {"user": world.bureau_a.pk},
            403,
        ),
        (
            plain,
            "delete",
            reverse("api-messaging-member", kwargs={"pk": pk, "user_id": world.member_a.pk}),
            None,
            403,
        ),
        (
            stranger,
            "delete",
            reverse("api-messaging-member", kwargs={"pk": pk, "user_id": world.member_a.pk}),
            None,
            404,
        ),
        (
            plain,
            "patch",
            reverse("api-messaging-message", kwargs={"pk": message.pk}),
            {"body": "piraté"},
            403,
        ),
        (plain, "delete", reverse("api-messaging-message", kwargs={"pk": message.pk}), None, 403),
        (
            stranger,
            "patch",
            reverse("api-messaging-message", kwargs={"pk": message.pk}),
            {"body": "piraté"},
            404,
        ),
        (
            stranger,
            "post",
            reverse("api-messaging-messages", kwargs={"pk": pk}),
            {"body": "intrus", "client_id": str(uuid.uuid4())},
            404,
        ),
        (stranger, "post", reverse("api-messaging-read", kwargs={"pk": pk}), {"seq": 1}, 404),
    ]
    for client, method, url, payload, status in attempts:
        response = getattr(client, method)(url, payload, format="json")
        assert response.status_code == status, (method, url, response.status_code)
        assert response.json()["code"] in ("permission_denied", "not_found")
    message.refresh_from_db()
    assert message.body == "Original" and message.deleted_at is None and not message.edits.exists()
    conversation = Conversation.objects.get(pk=pk)
    assert sorted(conversation.memberships.values_list("user_id", "is_admin")) == before["members"]
    assert conversation.archived_at == before["archived"] and conversation.last_seq == before["last_seq"]
    assert not ConversationMember.objects.filter(conversation=conversation, user=world.member_c).exists()
    assert not Message.objects.filter(body="intrus").exists()


WRITE_ENDPOINTS = [
    ("post", "api-messaging-conversations", {}),
    ("post", "api-messaging-members", {"pk": "fed"}),
    ("post", "api-messaging-archive", {"pk": "fed"}),
    ("post", "api-messaging-messages", {"pk": "fed"}),
    ("post", "api-messaging-read", {"pk": "fed"}),
    ("patch", "api-messaging-message", {"pk": "message"}),
    ("put", "api-messaging-preferences", {}),
    ("put", "api-messaging-retention", {"federation_slug": "fed"}),
]


@pytest.mark.parametrize(("method", "name", "kwargs"), WRITE_ENDPOINTS)
@pytest.mark.parametrize("body", [[None, None], [], "texte", 3])
def test_a_body_that_is_not_an_object_is_a_400(world, chat, api, method, name, kwargs, body):
    """Issue 17, item 12: `[null, null]` to the archive endpoint gave a 500."""
    message = say(world.fed_coordinator, chat.fed_channel, "Bonjour")
    values = {"fed": chat.fed_channel.pk, "message": message.pk}
    kwargs = {k: (world.fed.slug if k == "federation_slug" else values[v]) for k, v in kwargs.items()}
    archived_at = chat.fed_channel.archived_at
    response = getattr(api(world.fed_coordinator), method)(reverse(name, kwargs=kwargs), body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"detail", "code", "fields"}
    assert Conversation.objects.get(pk=chat.fed_channel.pk).archived_at == archived_at


def test_archive_with_a_list_body_on_a_missing_conversation_is_a_404(world, api):
    url = reverse("api-messaging-archive", kwargs={"pk": 0})
    response = api(world.fed_coordinator).post(url, [None, None], format="json")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_messaging_answers_are_typed_in_the_schema(api, world):
    schema = api(world.member_a).get("/api/schema/", {"format": "json"}).json()
    untyped = []
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/messaging/"):
            continue
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {}).get("schema")
                if (
                    status.startswith("2")
                    and content is not None
                    and content.get("type") == "object"
                    and not (content.get("properties") or content.get("additionalProperties"))
                ):
                    untyped.append((method, path, status))
    assert untyped == []


def test_unread_badge_is_in_the_header_of_every_page(world, chat, web):
    """Issue 17, item 14 (server side; the live part is tests/messaging/test_chat_e2e.py)."""
    say(world.member_a, chat.direct, "Un")
    say(world.member_a, chat.fed_channel, "Deux")
    html = web(world.member_b).get("/mes-adhesions/").content.decode()
    badge = html[html.index('id="nav-unread"') - 120 : html.index('id="nav-unread"') + 300]
    assert 'data-count="2"' in badge and ">2</span>" in badge and "display:none" not in badge
    assert "messaging/unread.js" in html
    html = web(world.member_a).get("/mes-adhesions/").content.decode()  # her own messages: nothing unread
    assert 'data-count="0"' in html and "display:none" in html
    assert "nav-unread" not in web().get("/").content.decode()  # signed out: no badge
