"""REST API of the messaging app: isolation (non-member → 404, missing right → 403), idempotent sending,
cursor pagination, unread counts with a query budget, search."""

import uuid

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Conversation, Message, MessageEdit
from tests import factories

pytestmark = pytest.mark.django_db


def post_message(client, conversation, body, client_id=None, reply_to=None):
    url = reverse("api-messaging-messages", kwargs={"pk": conversation.pk})
    payload = {"body": body, "client_id": str(client_id or uuid.uuid4()), "reply_to": reply_to}
    return client.post(url, payload, format="json")


def say(user, conversation, body):
    return services.message_send(actor=user, conversation=conversation, body=body, client_id=uuid.uuid4())[0]


CONVERSATION_ENDPOINTS = [
    ("get", "api-messaging-conversation", None),
    ("get", "api-messaging-messages", None),
    ("post", "api-messaging-messages", {"body": "intrus", "client_id": str(uuid.uuid4())}),
    ("post", "api-messaging-read", {"seq": 1}),
    ("post", "api-messaging-members", {"user": 1}),
    ("post", "api-messaging-archive", {}),
]


@pytest.mark.parametrize(("method", "name", "payload"), CONVERSATION_ENDPOINTS)
def test_conversation_endpoints_are_private(world, chat, api, method, name, payload):
    url = reverse(name, kwargs={"pk": chat.group.pk})  # coordinator_a, coordinator_b (CPTS A and B)
    for stranger in (world.member_a, world.member_c, world.outsider, world.staff, world.partner_delegate):
        response = getattr(api(stranger), method)(url, payload, format="json")
        assert response.status_code == 404, (stranger, response.status_code)
    assert getattr(api(), method)(url, payload, format="json").status_code in (401, 403)
    missing = reverse(name, kwargs={"pk": 999999})
    assert getattr(api(world.coordinator_a), method)(missing, payload, format="json").status_code == 404
    assert not Message.objects.filter(body="intrus").exists()


@pytest.mark.parametrize("name", ["api-messaging-message", "api-messaging-message-history"])
def test_message_endpoints_are_private(world, chat, api, name):
    message = say(world.coordinator_a, chat.group, "Compte rendu du groupe")
    url = reverse(name, kwargs={"pk": message.pk})
    assert api(world.coordinator_b).get(url).status_code == 200
    for stranger in (world.member_a, world.member_c, world.outsider, world.staff):
        assert api(stranger).get(url).status_code == 404
        assert api(stranger).patch(url, {"body": "piraté"}, format="json").status_code in (404, 405)
        assert api(stranger).delete(url).status_code in (404, 405)
    message.refresh_from_db()
    assert message.body == "Compte rendu du groupe" and message.deleted_at is None


def test_member_removal_and_join_isolation(world, chat, api):
    url = reverse("api-messaging-member", kwargs={"pk": chat.fed_channel.pk, "user_id": world.member_b.pk})
    assert api(world.member_c).delete(url).status_code == 404
    assert api(world.member_a).delete(url).status_code == 403  # a plain member cannot remove others
    assert api(world.fed_coordinator).delete(url).status_code == 204
    # member_b (CPTS Bravo, a member CPTS) may join the open federation channel again; member_c may not.
    join = reverse("api-messaging-join", kwargs={"pk": chat.fed_channel.pk})
    assert api(world.member_c).post(join).status_code == 404
    assert api(world.partner_delegate).post(join).status_code == 404  # partners: by invitation only
    assert api(world.member_b).post(join).status_code == 201
    assert (
        api(world.member_b).post(reverse("api-messaging-join", kwargs={"pk": chat.direct.pk})).status_code
        == 404
    )


def test_invite_rules(world, chat, api):
    url = reverse("api-messaging-members", kwargs={"pk": chat.fed_channel.pk})
    assert api(world.member_a).post(url, {"user": world.bureau_a.pk}, format="json").status_code == 403
    response = api(world.fed_coordinator).post(url, {"user": world.member_c.pk}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "not_eligible"
    assert (
        api(world.fed_coordinator).post(url, {"user": world.partner_delegate.pk}, format="json").status_code
        == 201
    )


def test_send_over_http_is_idempotent(world, chat, api):
    client_id = uuid.uuid4()
    first = post_message(api(world.member_a), chat.fed_channel, "Bonjour", client_id)
    again = post_message(api(world.member_a), chat.fed_channel, "Bonjour", client_id)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["seq"] == 1
    assert Message.objects.filter(client_id=client_id).count() == 1
    # The same client_id from another author is another message.
    assert post_message(api(world.member_b), chat.fed_channel, "Bonjour", client_id).status_code == 201


def test_send_validation_is_structured(world, chat, api, settings):
    settings.MESSAGING_MAX_BODY = 10
    response = post_message(api(world.member_a), chat.fed_channel, "beaucoup trop long")
    assert response.status_code == 400 and response.json()["code"] == "body_too_long"
    assert "trop long" in response.json()["detail"]
    response = post_message(api(world.member_a), chat.fed_channel, "court", reply_to=999999)
    assert response.json()["code"] == "invalid_reply_to"
    assert Message.objects.count() == 0


def test_archived_conversation_is_read_only(world, chat, api):
    say(world.member_a, chat.fed_channel, "Dernier message")
    archive = reverse("api-messaging-archive", kwargs={"pk": chat.fed_channel.pk})
    assert api(world.member_a).post(archive, {}, format="json").status_code == 403
    assert api(world.fed_coordinator).post(archive, {}, format="json").status_code == 200
    assert post_message(api(world.member_a), chat.fed_channel, "Encore ?").status_code == 403
    history = api(world.member_a).get(reverse("api-messaging-messages", kwargs={"pk": chat.fed_channel.pk}))
    assert [m["body"] for m in history.json()["results"]] == ["Dernier message"]


def test_history_cursor_pagination(world, chat, api):
    for index in range(1, 8):
        say(world.member_a if index % 2 else world.member_b, chat.fed_channel, f"m{index}")
    url = reverse("api-messaging-messages", kwargs={"pk": chat.fed_channel.pk})
    client = api(world.member_b)
    latest = client.get(url, {"limit": 3}).json()
    assert (
        [m["seq"] for m in latest["results"]] == [5, 6, 7]
        and latest["previous"] == 5
        and latest["next"] is None
    )
    older = client.get(url, {"limit": 3, "before": latest["previous"]}).json()
    assert [m["body"] for m in older["results"]] == ["m2", "m3", "m4"]
    oldest = client.get(url, {"limit": 3, "before": older["previous"]}).json()
    assert [m["seq"] for m in oldest["results"]] == [1] and oldest["previous"] is None
    after = client.get(url, {"limit": 2, "after": 3}).json()
    assert [m["seq"] for m in after["results"]] == [4, 5] and after["next"] == 5
    assert client.get(url, {"before": "abc"}).status_code == 400


def test_conversation_list_with_unread_counts_and_query_budget(
    world, chat, api, django_assert_max_num_queries
):
    say(world.member_a, chat.fed_channel, "un")
    say(world.member_a, chat.fed_channel, f"deux @**{world.member_b.display_name}**")
    say(world.member_a, chat.direct, "privé")
    for index in range(5):  # more conversations must not mean more queries
        services.conversation_create(
            actor=world.member_a,
            kind=Conversation.Kind.GROUP,
            title=f"G{index}",
            federation=world.fed,
            members=[world.member_b],
        )
    url = reverse("api-messaging-conversations")
    client = api(world.member_b)
    with django_assert_max_num_queries(6):
        response = client.get(url)
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[chat.fed_channel.pk]["unread"] == 2 and rows[chat.fed_channel.pk]["mentions"] == 1
    assert rows[chat.direct.pk]["unread"] == 1 and rows[chat.direct.pk]["title"] == str(world.member_a)
    assert chat.group.pk not in rows and chat.cpts_a_channel.pk not in rows
    read = client.post(
        reverse("api-messaging-read", kwargs={"pk": chat.fed_channel.pk}), {"seq": 99}, format="json"
    )
    assert read.json()["last_read_seq"] == 2  # never past the last message
    rows = {row["id"]: row for row in client.get(url).json()["results"]}
    assert rows[chat.fed_channel.pk]["unread"] == 0
    assert (
        client.get(reverse("api-messaging-unread")).json()["conversations"][str(chat.direct.pk)]["unread"]
        == 1
    )


def test_create_direct_and_group(world, api):
    url = reverse("api-messaging-conversations")
    response = api(world.member_a).post(
        url, {"kind": "direct", "federation": world.fed.slug, "members": [world.member_b.pk]}, format="json"
    )
    assert response.status_code == 201
    response = api(world.member_a).post(
        url, {"kind": "direct", "federation": world.fed.slug, "members": [world.member_c.pk]}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "not_eligible"
    response = api(world.member_a).post(
        url, {"kind": "group", "federation": world.other_fed.slug, "members": []}, format="json"
    )
    assert response.status_code == 404
    response = api(world.member_a).post(
        url, {"kind": "federation", "federation": world.fed.slug, "title": "X"}, format="json"
    )
    assert response.status_code == 403


def test_edit_keeps_history_and_delete_rules(world, chat, api):
    message = say(world.member_a, chat.fed_channel, "Réunion à 18 h")
    url = reverse("api-messaging-message", kwargs={"pk": message.pk})
    assert api(world.member_b).patch(url, {"body": "autre"}, format="json").status_code == 403
    assert (
        api(world.member_a).patch(url, {"body": "Réunion à 19 h"}, format="json").json()["body"]
        == "Réunion à 19 h"
    )
    history = (
        api(world.member_b).get(reverse("api-messaging-message-history", kwargs={"pk": message.pk})).json()
    )
    assert [e["body"] for e in history["edits"]] == ["Réunion à 18 h"]
    assert api(world.member_b).delete(url).status_code == 403
    assert api(world.fed_coordinator).delete(url).status_code == 204  # conversation admin removes it
    message.refresh_from_db()
    assert message.deleted_at is not None and message.body == "" and not MessageEdit.objects.exists()
    page = (
        api(world.member_b).get(reverse("api-messaging-messages", kwargs={"pk": chat.fed_channel.pk})).json()
    )
    assert page["results"][0]["deleted"] is True and page["results"][0]["body"] == ""


def test_search_only_sees_own_conversations(world, chat, api):
    say(world.coordinator_a, chat.group, "Planning des gardes de pharmacie")
    say(world.member_a, chat.fed_channel, "Les pharmacies de garde changent en janvier")
    url = reverse("api-messaging-search")
    bodies = [r["body"] for r in api(world.member_a).get(url, {"q": "pharmacie"}).json()["results"]]
    assert bodies == ["Les pharmacies de garde changent en janvier"]
    assert api(world.member_c).get(url, {"q": "pharmacie"}).json()["results"] == []
    assert api(world.member_a).get(url, {"q": "a"}).status_code == 400


def test_preferences_and_retention(world, api):
    url = reverse("api-messaging-preferences")
    assert api(world.member_a).get(url).json() == {"mode": "immediate"}
    assert api(world.member_a).put(url, {"mode": "digest"}, format="json").json() == {"mode": "digest"}
    assert api(world.member_a).put(url, {"mode": "souvent"}, format="json").status_code == 400
    retention = reverse("api-messaging-retention", kwargs={"federation_slug": world.fed.slug})
    assert api(world.member_a).get(retention).json() == {"retention_days": None}
    assert api(world.member_a).put(retention, {"retention_days": 30}, format="json").status_code == 403
    assert api(world.member_c).get(retention).status_code == 404
    assert api(world.fed_coordinator).put(retention, {"retention_days": 30}, format="json").json() == {
        "retention_days": 30
    }


def test_people_of_a_federation(world, api):
    url = reverse("api-messaging-people", kwargs={"federation_slug": world.fed.slug})
    names = {row["id"] for row in api(world.member_a).get(url).json()["results"]}
    assert world.member_b.pk in names and world.partner_delegate.pk in names
    assert (
        world.member_c.pk not in names and world.outsider.pk not in names and world.member_a.pk not in names
    )
    found = api(world.member_a).get(url, {"q": "bravo"}).json()["results"]
    assert {row["id"] for row in found} == {world.member_b.pk, world.coordinator_b.pk}
    assert api(world.member_c).get(url).status_code == 404
    assert api(world.outsider).get(url).status_code == 404


def test_cpts_general_channel_follows_the_cpts_membership(world, chat, api, web):
    from federation import services as base_services

    newcomer = factories.UserFactory(email="nouvelle@alpha.example.org")
    base_services.membership_set(actor=world.coordinator_a, cpts=world.cpts_a, user=newcomer)
    assert web(newcomer).get(reverse("messaging-index")).status_code == 200  # joins on first visit
    assert chat.cpts_a_channel.memberships.filter(user=newcomer).exists()
    leave = reverse("api-messaging-member", kwargs={"pk": chat.cpts_a_channel.pk, "user_id": newcomer.pk})
    response = api(newcomer).delete(leave)
    assert response.status_code == 400 and response.json()["code"] == "cpts_channel"
    base_services.membership_remove(actor=world.coordinator_a, cpts=world.cpts_a, user=newcomer)
    assert services.memberships_revalidate(user=newcomer) == [chat.cpts_a_channel.pk]
