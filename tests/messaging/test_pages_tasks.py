"""Chat page, notification e-mails (batched, per preference), retention purge, patient-data notice,
demo seeding, sequence numbers."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from messaging import services, tasks
from messaging.models import Conversation, ConversationMember, Message, NotificationPreference

pytestmark = pytest.mark.django_db


def say(user, conversation, body, reply_to=None):
    return services.message_send(
        actor=user, conversation=conversation, body=body, client_id=uuid.uuid4(), reply_to_id=reply_to
    )[0]


def age(minutes):
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_chat_page(world, chat, web, settings):
    settings.HDS_HOSTING = False
    say(world.member_a, chat.fed_channel, "coucou")
    response = web(world.member_b).get(reverse("messaging-index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Toute la fédération" in html and "chat-notice" in html and "chat.js" in html
    assert "Groupe SNP" not in html  # not a member
    # On a phone, the keyboard resizes the page instead of covering the message box pinned at the bottom.
    assert 'content="width=device-width, initial-scale=1, interactive-widget=resizes-content"' in html
    assert web().get(reverse("messaging-index")).status_code == 302
    settings.HDS_HOSTING = True
    assert "chat-notice" not in web(world.member_b).get(reverse("messaging-index")).content.decode()


def test_notice_in_api_follows_hds_setting(world, chat, api, settings):
    url = reverse("api-messaging-conversation", kwargs={"pk": chat.direct.pk})
    settings.HDS_HOSTING = False
    assert "MSSanté" in api(world.member_a).get(url).json()["notice"]["text"]
    settings.HDS_HOSTING = True
    assert api(world.member_a).get(url).json()["notice"] is None


def test_preferences_page(world, web):
    browser = web(world.member_a)
    assert browser.get(reverse("messaging-preferences")).status_code == 200
    browser.post(reverse("messaging-preferences"), {"mode": "never"})
    assert NotificationPreference.objects.get(user=world.member_a).mode == "never"
    response = browser.post(reverse("messaging-preferences"), {"mode": "bof"}, follow=True)
    assert "inconnu" in response.content.decode()


def test_mentions_and_direct_messages_are_emailed_once_batched_after_the_delay(world, chat, settings):
    settings.MESSAGING_NOTIFY_DELAY_MINUTES = 10
    name = world.member_b.display_name
    say(world.member_a, chat.fed_channel, f"@**{name}** peux-tu relire ?")
    say(world.member_a, chat.fed_channel, "message sans mention")
    say(world.member_a, chat.direct, "Un message direct")
    assert tasks.notify_due() == 0  # too recent
    age(11)
    assert tasks.notify_due() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.member_b.email]
    body = mail.outbox[0].body
    assert "peux-tu relire" in body and "Un message direct" in body and "sans mention" not in body
    assert tasks.notify_due() == 0  # idempotent
    assert len(mail.outbox) == 1


def test_read_messages_are_not_emailed_and_preferences_apply(world, chat):
    say(world.member_a, chat.direct, "lu tout de suite")
    services.read_mark(actor=world.member_b, conversation=chat.direct, seq=1)
    services.notification_preference_set(actor=world.member_a, mode="digest")
    say(world.member_b, chat.direct, "pour le résumé")
    services.notification_preference_set(actor=world.coordinator_a, mode="never")
    say(world.member_a, chat.fed_channel, f"@**{world.coordinator_a.display_name}** info")
    age(60)
    assert tasks.notify_due() == 0
    assert tasks.daily_digest() == 1
    assert mail.outbox[0].to == [world.member_a.email] and "pour le résumé" in mail.outbox[0].body
    assert "résumé quotidien" in mail.outbox[0].subject


def test_retention_purges_old_messages_of_that_federation_only(world, chat):
    other = services.conversation_create(
        actor=world.member_c, kind=Conversation.Kind.GROUP, title="Gard", federation=world.other_fed
    )
    old = say(world.member_a, chat.fed_channel, "ancien")
    say(world.member_c, other, "ancien aussi")
    age(60 * 24 * 40)
    recent = say(world.member_a, chat.fed_channel, "récent", reply_to=old.pk)
    assert tasks.purge_expired() == 0  # default: keep
    services.retention_set(actor=world.fed_coordinator, federation=world.fed, retention_days=30)
    assert tasks.purge_expired() == 1
    assert list(Message.objects.order_by("body").values_list("body", flat=True)) == ["ancien aussi", "récent"]
    recent.refresh_from_db()
    assert recent.reply_to is None


def test_sequence_numbers_are_consecutive_per_conversation(world, chat):
    for index in range(3):
        say(world.member_a, chat.fed_channel, f"f{index}")
        say(world.member_a, chat.direct, f"d{index}")
    assert list(chat.fed_channel.messages.values_list("seq", flat=True)) == [1, 2, 3]
    assert list(chat.direct.messages.values_list("seq", flat=True)) == [1, 2, 3]
    member = ConversationMember.objects.get(conversation=chat.fed_channel, user=world.member_a)
    assert member.last_read_seq == 3  # own messages count as read


def test_cpts_channel_sync_follows_cpts_members(world):
    channel = services.cpts_channel_sync(cpts=world.cpts_a)
    assert set(channel.memberships.values_list("user_id", flat=True)) == {
        world.coordinator_a.pk,
        world.bureau_a.pk,
        world.member_a.pk,
    }
    assert channel.memberships.get(user=world.coordinator_a).is_admin
    assert services.cpts_channel_sync(cpts=world.cpts_a).pk == channel.pk


def test_demo_seed_is_idempotent(world):
    from io import StringIO

    from messaging import demo

    demo.seed(StringIO())  # the test world's federation has the demo slug
    counts = (Conversation.objects.count(), Message.objects.count())
    assert Conversation.objects.filter(kind="federation").exists() and counts[1] > 5
    assert not Message.objects.filter(body__contains="{").exists()  # every mention was filled in
    demo.seed(StringIO())
    assert (Conversation.objects.count(), Message.objects.count()) == counts


def test_notice_offers_the_mssante_addresses_the_viewer_may_see(world, chat, api, settings):
    from tests.directory.factories import ProfessionalFactory

    settings.HDS_HOSTING = False
    url = reverse("api-messaging-conversation", kwargs={"pk": chat.direct.pk})
    others = [m["id"] for m in api(world.member_a).get(url).json()["members"] if m["id"] != world.member_a.pk]
    other = type(world.member_a).objects.get(pk=others[0])
    professional = ProfessionalFactory(user=other, mssante="dr.durand@medecin.mssante.fr")
    notice = api(world.member_a).get(url).json()["notice"]
    assert notice["mssante"] == [
        {"user": other.pk, "name": other.display_name, "address": "dr.durand@medecin.mssante.fr"}
    ]
    professional.visibility = {"mssante": "hidden"}
    professional.save(update_fields=["visibility"])
    assert api(world.member_a).get(url).json()["notice"]["mssante"] == []


def test_cpts_general_channel_follows_membership_changes(world, django_capture_on_commit_callbacks):
    from federation import services as federation_services
    from messaging.models import Conversation
    from tests.factories import UserFactory

    newcomer = UserFactory(email="arrivee@alpha.example.org")
    with django_capture_on_commit_callbacks(execute=True):
        federation_services.membership_set(actor=world.coordinator_a, cpts=world.cpts_a, user=newcomer)
    channel = Conversation.objects.get(kind=Conversation.Kind.CPTS, cpts=world.cpts_a)
    assert channel.memberships.filter(user=newcomer).exists()
    with django_capture_on_commit_callbacks(execute=True):
        federation_services.membership_remove(actor=world.coordinator_a, cpts=world.cpts_a, user=newcomer)
    assert not channel.memberships.filter(user=newcomer).exists()
