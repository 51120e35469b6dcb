"""Conversations, their members (with read state), messages (with edit history) and preferences.

Every conversation carries the federation (and, for a CPTS channel, the CPTS) it belongs to: row-level
tenancy, retention policy and the people who may be invited all derive from it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from federation.models import Cpts, Federation


class Conversation(models.Model):
    class Kind(models.TextChoices):
        CPTS = "cpts", _("Canal général d'une CPTS")
        FEDERATION = "federation", _("Canal de la fédération")
        GROUP = "group", _("Groupe de travail inter-CPTS")
        DIRECT = "direct", _("Conversation directe")

    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=120, blank=True)
    topic = models.CharField(_("sujet"), max_length=300, blank=True)
    federation = models.ForeignKey(
        Federation, on_delete=models.CASCADE, null=True, blank=True, related_name="conversations"
    )
    cpts = models.ForeignKey(
        Cpts, on_delete=models.CASCADE, null=True, blank=True, related_name="conversations"
    )
    # Partners (delegates) join a federation channel only when invited; CPTS members may join freely.
    is_open = models.BooleanField(_("ouvert à l'adhésion libre"), default=True)
    archived_at = models.DateTimeField(_("archivée le"), null=True, blank=True)
    # Highest sequence number allocated so far; bumped under the row lock by message_send.
    last_seq = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title", "id"]
        verbose_name = _("conversation")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="cpts") | Q(cpts__isnull=False), name="cpts_channel_has_cpts"
            ),
            models.CheckConstraint(
                condition=Q(kind="cpts") | Q(federation__isnull=False), name="conversation_has_federation"
            ),
            models.UniqueConstraint(
                fields=["cpts"], condition=Q(kind="cpts"), name="one_general_channel_per_cpts"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def group_name(self) -> str:
        return conversation_group(self.pk)


def conversation_group(conversation_id: int) -> str:
    """Channel-layer group of one conversation: one publish per message, fanned out in each process."""
    return f"conv.{conversation_id}"


class ConversationMember(models.Model):
    """A user in a conversation, with the admin flag and the read state (last read sequence number)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversation_memberships"
    )
    is_admin = models.BooleanField(_("administrateur·rice"), default=False)
    last_read_seq = models.PositiveBigIntegerField(default=0)
    # Highest seq already covered by an e-mail notification (mentions, direct messages).
    notified_seq = models.PositiveBigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre d'une conversation")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="one_membership_per_conversation")
        ]
        indexes = [models.Index(fields=["user", "conversation"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.conversation}"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField(_("numéro d'ordre"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="chat_messages"
    )
    client_id = models.UUIDField(_("identifiant client"), default=uuid.uuid4)
    body = models.TextField(_("texte"))
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="chat_mentions")
    # Shared documents (shared_actions) uploaded to this conversation: see ConversationAttachment.
    attachments = models.ManyToManyField(
        "shared_actions.Document", blank=True, related_name="chat_messages", verbose_name=_("pièces jointes")
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["conversation", "seq"]
        verbose_name = _("message")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_seq_unique"),
            # A resend with the same client_id never creates a second message.
            models.UniqueConstraint(
                fields=["conversation", "author", "client_id"], name="message_client_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ConversationAttachment(models.Model):
    """A file uploaded to a conversation: a shared document (shared_actions) with the "people"
    visibility, shared with the conversation's members and kept in step with them (services). A message
    may only carry the attachments of its own conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="attachments")
    document = models.OneToOneField(
        "shared_actions.Document", on_delete=models.CASCADE, related_name="chat_attachment"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "id"]
        verbose_name = _("pièce jointe d'une conversation")

    def __str__(self) -> str:
        return f"{self.conversation_id} — {self.document_id}"


class MessageEdit(models.Model):
    """The previous text of an edited message (edit history)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="edits")
    body = models.TextField()
    edited_at = models.DateTimeField(auto_now_add=True)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["edited_at", "id"]
        verbose_name = _("version précédente d'un message")

    def __str__(self) -> str:
        return f"{self.message_id} @ {self.edited_at:%Y-%m-%d %H:%M}"


class NotificationPreference(models.Model):
    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("Immédiatement (après un court délai)")
        DIGEST = "digest", _("Résumé quotidien")
        NEVER = "never", _("Jamais")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_notification_preference"
    )
    mode = models.CharField(
        _("notifications par e-mail"), max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE
    )

    class Meta:
        verbose_name = _("préférence de notification")

    def __str__(self) -> str:
        return f"{self.user} — {self.mode}"


class RetentionPolicy(models.Model):
    """Per-federation retention: messages older than `retention_days` are purged (empty = keep)."""

    federation = models.OneToOneField(Federation, on_delete=models.CASCADE, related_name="chat_retention")
    retention_days = models.PositiveIntegerField(_("durée de conservation (jours)"), null=True, blank=True)

    class Meta:
        verbose_name = _("politique de conservation des messages")

    def __str__(self) -> str:
        return f"{self.federation} — {self.retention_days or '∞'}"


def _search_vector():
    # The same expression is GIN-indexed on PostgreSQL (migration 0002), so searches use the index.
    from django.contrib.postgres.search import SearchVector

    return SearchVector("body", config="french")


SEARCH_VECTOR = _search_vector()
