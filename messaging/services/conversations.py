"""Conversations and their members: create, join, invite, remove, archive, follow CPTS memberships."""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.access import can_manage_federation, is_federation_participant
from federation.errors import ServiceError
from federation.models import CPTS_MANAGER_ROLES, Cpts, Federation, Membership, User
from federation.selectors import cpts_federation, user_federations
from messaging.access import current_member, is_conversation_admin, may_be_invited, may_join
from messaging.models import Conversation, ConversationMember
from messaging.serializers import conversation_frame_data, display_name
from messaging.services import publish
from messaging.services.attachments import attachments_follow_members


def _add_member(conversation: Conversation, user: User, *, is_admin: bool = False) -> ConversationMember:
    member, created = ConversationMember.objects.get_or_create(
        conversation=conversation,
        user=user,
        # A newcomer starts at the present: earlier history is readable but not "unread".
        defaults={
            "is_admin": is_admin,
            "last_read_seq": conversation.last_seq,
            "notified_seq": conversation.last_seq,
        },
    )
    if not created and is_admin and not member.is_admin:
        member.is_admin = True
        member.save(update_fields=["is_admin"])
    if created:
        attachments_follow_members(conversation, added=user)
        publish.membership(user.pk, conversation, "added")
    return member


def _not_eligible(user: User) -> ServiceError:
    return ServiceError(
        _("%(name)s ne peut pas rejoindre cette conversation.") % {"name": display_name(user)},
        code="not_eligible",
        field="members",
    )


@transaction.atomic
def conversation_create(
    *,
    actor: User | None,
    kind: str,
    title: str = "",
    topic: str = "",
    federation: Federation | None = None,
    cpts: Cpts | None = None,
    members: Iterable[User] = (),
    is_open: bool | None = None,
) -> Conversation:
    """Create a conversation; the actor becomes its admin. `actor=None` is the system (demo, sync).

    CPTS channels: by the CPTS's managers; federation channels: by federation managers; working groups
    and direct conversations: by any participant of the federation, with participants only.
    """
    members = [m for m in members if actor is None or m.pk != actor.pk]
    if kind == Conversation.Kind.CPTS:
        if cpts is None:
            raise ServiceError(_("Une CPTS est requise."), code="cpts_required", field="cpts")
        if actor is not None and not actor.is_staff:
            if not Membership.objects.filter(user=actor, cpts=cpts, role__in=CPTS_MANAGER_ROLES).exists():
                raise PermissionDenied
        federation = federation or cpts_federation(cpts)
    elif federation is None:
        raise ServiceError(_("Une fédération est requise."), code="federation_required", field="federation")
    elif kind == Conversation.Kind.FEDERATION:
        if actor is not None and not can_manage_federation(actor, federation):
            raise PermissionDenied
    elif actor is not None and not is_federation_participant(actor, federation):
        raise Http404
    if kind == Conversation.Kind.DIRECT:
        is_open = False
        if not members:
            raise ServiceError(
                _("Choisissez au moins une personne."), code="members_required", field="members"
            )
        if len(members) + 1 > settings.MESSAGING_DIRECT_MAX_MEMBERS:
            raise ServiceError(
                _("Une conversation directe compte au plus %(n)d personnes.")
                % {"n": settings.MESSAGING_DIRECT_MAX_MEMBERS},
                code="too_many_members",
                field="members",
            )
    elif not title.strip():
        raise ServiceError(_("Donnez un titre à la conversation."), code="title_required", field="title")
    conversation = Conversation(
        kind=kind,
        title=title.strip(),
        topic=topic.strip(),
        federation=federation,
        cpts=cpts if kind == Conversation.Kind.CPTS else None,
        is_open=(kind != Conversation.Kind.GROUP) if is_open is None else is_open,
        created_by=actor,
    )
    conversation.full_clean()
    conversation.save()
    if actor is not None:
        _add_member(conversation, actor, is_admin=True)
    for user in members:
        if not may_be_invited(user, conversation):
            raise _not_eligible(user)
        _add_member(conversation, user)
    return conversation


@transaction.atomic
def cpts_channel_sync(*, cpts: Cpts) -> Conversation:
    """The general channel of `cpts`, created if missing, with every member of the CPTS in it (its
    managers as admins). Idempotent: call it when CPTS memberships change."""
    conversation = Conversation.objects.filter(kind=Conversation.Kind.CPTS, cpts=cpts).first()
    if conversation is None:
        conversation = conversation_create(
            actor=None,
            kind=Conversation.Kind.CPTS,
            cpts=cpts,
            title=_("Général — %(cpts)s") % {"cpts": cpts.name},
        )
    present = set(conversation.memberships.values_list("user_id", flat=True))
    for membership in Membership.objects.filter(cpts=cpts).select_related("user"):
        if membership.user_id not in present:
            _add_member(conversation, membership.user, is_admin=membership.role in CPTS_MANAGER_ROLES)
    return conversation


@transaction.atomic
def conversation_join(*, actor: User, conversation: Conversation) -> ConversationMember:
    """`conversation`: from `access_joinable_conversation`."""
    if not may_join(actor, conversation):
        raise Http404
    return _add_member(conversation, actor)


@transaction.atomic
def member_add(
    *, actor: User, conversation: Conversation, user: User, is_admin: bool = False
) -> ConversationMember:
    """Invite `user` (admins only; in a direct conversation, any member, within the size limit).
    `conversation`: from `access_conversation(..., for_write=True)`."""
    if conversation.kind == Conversation.Kind.DIRECT:
        if conversation.memberships.count() + 1 > settings.MESSAGING_DIRECT_MAX_MEMBERS:
            raise ServiceError(
                _("Cette conversation directe est complète."), code="too_many_members", field="user"
            )
    elif not is_conversation_admin(actor, conversation, current_member(actor, conversation)):
        raise PermissionDenied
    if not may_be_invited(user, conversation):
        raise ServiceError(
            _("%(name)s ne peut pas rejoindre cette conversation.") % {"name": display_name(user)},
            code="not_eligible",
            field="user",
        )
    return _add_member(conversation, user, is_admin=is_admin)


@transaction.atomic
def member_remove(*, actor: User, conversation: Conversation, user: User) -> None:
    """Remove `user` (themself: leaving; someone else: admins only). Their sockets stop receiving the
    conversation at once (the consumer leaves the group and drops its frames). `conversation`: from
    `access_conversation`."""
    if user.pk != actor.pk and not is_conversation_admin(
        actor, conversation, current_member(actor, conversation)
    ):
        raise PermissionDenied
    if (
        conversation.kind == Conversation.Kind.CPTS
        and Membership.objects.filter(user=user, cpts_id=conversation.cpts_id).exists()
    ):
        raise ServiceError(
            _("Le canal général d'une CPTS réunit tous ses membres : on le quitte en quittant la CPTS."),
            code="cpts_channel",
        )
    deleted, _details = ConversationMember.objects.filter(conversation=conversation, user=user).delete()
    if not deleted:
        raise Http404
    attachments_follow_members(conversation, removed=user)
    publish.membership(user.pk, conversation, "removed")


@transaction.atomic
def memberships_revalidate(*, user: User) -> list[int]:
    """Bring the user's conversations in line with their memberships: join the general channel of each
    CPTS they belong to; leave the general channel of a CPTS they left and the conversations of a
    federation they no longer take part in. Returns the removed conversation ids (their sockets are told
    at once). Idempotent; four queries when nothing changes. Called when a socket connects, when the chat
    page opens and when the base layer sends `access.revoked`."""
    cpts_ids = set(Membership.objects.filter(user=user).values_list("cpts_id", flat=True))
    rows = list(ConversationMember.objects.filter(user=user).select_related("conversation"))
    present = {member.conversation_id for member in rows}
    if cpts_ids:
        for channel in Conversation.objects.filter(kind=Conversation.Kind.CPTS, cpts_id__in=cpts_ids).exclude(
            pk__in=present
        ):
            _add_member(channel, user)
    if not rows:
        return []
    federation_ids = set(user_federations(user).values_list("pk", flat=True))
    removed = []
    for member in rows:
        conversation = member.conversation
        if conversation.kind == Conversation.Kind.CPTS:
            allowed = conversation.cpts_id in cpts_ids
        else:
            allowed = conversation.federation_id in federation_ids
        if not allowed:
            # Filtered delete: when two revalidations race (the CPTS signal and the socket's
            # `access.revoked`), only the one that removed the row tells the sockets.
            deleted, _details = ConversationMember.objects.filter(pk=member.pk).delete()
            if not deleted:
                continue
            attachments_follow_members(conversation, removed=user)
            publish.membership(user.pk, conversation, "removed")
            removed.append(conversation.pk)
    return removed


@transaction.atomic
def conversation_archive(*, actor: User, conversation: Conversation, archived: bool = True) -> Conversation:
    """Archive (read-only) or reopen. `conversation`: from `access_conversation_admin`."""
    if not is_conversation_admin(actor, conversation, current_member(actor, conversation)):
        raise PermissionDenied
    conversation.archived_at = timezone.now() if archived else None
    conversation.save(update_fields=["archived_at"])
    publish.to_conversation(
        conversation.pk,
        {"type": "conversation.updated", "conversation": conversation_frame_data(conversation)},
    )
    return conversation
