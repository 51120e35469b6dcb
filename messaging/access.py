"""Access helpers of the messaging app: every lookup of a conversation or a message goes through them.

A conversation is visible to its members only (staff included: private chat stays private); "not a
member" and "does not exist" are the same 404. Writing to an archived conversation is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from federation.access import can_manage_federation, is_federation_participant
from federation.models import CPTS_MANAGER_ROLES, FederationRole, Membership, User
from messaging.models import Conversation, ConversationMember, Message


def membership_in(user: User, conversation_id: int) -> ConversationMember | None:
    """The user's membership row in the conversation (None for a non-member or a missing one)."""
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        ConversationMember.objects.select_related("conversation")
        .filter(conversation_id=conversation_id, user=user)
        .first()
    )


def access_conversation(user: User, conversation_id: int, *, for_write: bool = False) -> Conversation:
    """The conversation if the user is one of its members.

    Raises Http404 for a missing conversation or a non-member; with `for_write`, PermissionDenied when
    the conversation is archived (read-only).
    """
    member = membership_in(user, conversation_id)
    if member is None:
        raise Http404
    conversation = member.conversation
    conversation.current_member = member
    if for_write and conversation.is_archived:
        raise PermissionDenied
    return conversation


def current_member(user: User, conversation: Conversation) -> ConversationMember | None:
    """The user's membership row in a conversation: the one `access_conversation` attached, or read again
    (a conversation resolved otherwise, e.g. by the system or a test)."""
    member = getattr(conversation, "current_member", None)
    if member is not None and member.user_id == user.pk:
        return member
    return membership_in(user, conversation.pk)


def access_conversation_admin(user: User, conversation_id: int) -> Conversation:
    """The conversation if the user administers it (404 for non-members, 403 for plain members)."""
    conversation = access_conversation(user, conversation_id)
    if not is_conversation_admin(user, conversation, conversation.current_member):
        raise PermissionDenied
    return conversation


def access_joinable_conversation(user: User, conversation_id: int) -> Conversation:
    """An open conversation the user may join by themself (404 otherwise: they cannot see it)."""
    conversation = Conversation.objects.filter(pk=conversation_id, is_open=True).first()
    if conversation is None or not may_join(user, conversation):
        raise Http404
    return conversation


def access_message(user: User, message_id: int, *, for_write: bool = False) -> Message:
    """A message of a conversation the user belongs to (404 otherwise; 403 if archived and `for_write`)."""
    message = Message.objects.select_related("conversation", "author").filter(pk=message_id).first()
    if message is None:
        raise Http404
    message.conversation = access_conversation(user, message.conversation_id, for_write=for_write)
    return message


def is_conversation_admin(user: User, conversation: Conversation, member: ConversationMember | None) -> bool:
    """Conversation admins; the CPTS managers for a CPTS channel; federation managers for its channels."""
    if member is not None and member.is_admin:
        return True
    if conversation.kind == Conversation.Kind.CPTS:
        return Membership.objects.filter(
            user=user, cpts_id=conversation.cpts_id, role__in=CPTS_MANAGER_ROLES
        ).exists()
    if conversation.kind == Conversation.Kind.FEDERATION and conversation.federation_id:
        return can_manage_federation(user, conversation.federation)
    return False


def may_join(user: User, conversation: Conversation) -> bool:
    """Who may join an open conversation by themself.

    CPTS channel: the CPTS's members. Federation channel: members of a member CPTS and federation staff
    (partners' delegates only when invited). Open working group: any participant of the federation.
    Direct conversations are never joinable.
    """
    if not user.is_authenticated or not conversation.is_open or conversation.is_archived:
        return False
    if conversation.kind == Conversation.Kind.CPTS:
        return Membership.objects.filter(user=user, cpts_id=conversation.cpts_id).exists()
    if conversation.kind == Conversation.Kind.FEDERATION:
        federation = conversation.federation
        return (
            type(federation)
            .objects.filter(pk=federation.pk)
            .filter(
                Q(members__cpts__memberships__user=user, members__left_on__isnull=True)
                | Q(
                    roles__user=user,
                    roles__role__in=[FederationRole.Role.ADMIN, FederationRole.Role.COORDINATOR],
                )
            )
            .exists()
        )
    if conversation.kind == Conversation.Kind.GROUP:
        return is_federation_participant(user, conversation.federation)
    return False


def may_be_invited(user: User, conversation: Conversation) -> bool:
    """Who may be added: CPTS members to a CPTS channel, federation participants to the others."""
    if not user.is_active:
        return False
    if conversation.kind == Conversation.Kind.CPTS:
        return Membership.objects.filter(user=user, cpts_id=conversation.cpts_id).exists()
    return is_federation_participant(user, conversation.federation)
