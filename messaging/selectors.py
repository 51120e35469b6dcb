"""Reads of the messaging app: scoped to the conversations the user belongs to."""

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from federation.compiled_sql import CompiledQuery, any_of
from federation.models import Federation, User
from messaging.models import Conversation, ConversationMember, Message
from shared_actions.models import Document


def attachments_prefetch() -> Prefetch:
    """A message's attachments with their versions (two queries per page of messages, none per message)."""
    return Prefetch("attachments", queryset=Document.objects.order_by("pk").prefetch_related("versions"))


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("conversation").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _unread_messages(user: User) -> QuerySet[Message]:
    return Message.objects.filter(
        conversation=OuterRef("conversation"), seq__gt=OuterRef("last_read_seq"), deleted_at__isnull=True
    ).exclude(author=user)


def user_memberships(user: User) -> QuerySet[ConversationMember]:
    """The user's conversations (as membership rows) with `unread` and `mention_count`, one query,
    plus one prefetch of the members of direct conversations (to name them)."""
    return (
        ConversationMember.objects.filter(user=user)
        .select_related("conversation", "conversation__cpts", "conversation__federation")
        .annotate(
            unread=_count(_unread_messages(user)),
            mention_count=_count(_unread_messages(user).filter(mentions=user)),
        )
        .prefetch_related(
            Prefetch(
                "conversation__memberships",
                queryset=ConversationMember.objects.select_related("user").order_by("user__display_name"),
            )
        )
        .order_by("conversation__archived_at", "conversation__kind", "conversation__title", "conversation_id")
    )


def unread_counts(user: User, conversation_ids: list[int] | None = None) -> dict[str, dict[str, int]]:
    """{"<conversation id>": {"unread": n, "mentions": m, "last_read_seq": s}} for the user."""
    rows = ConversationMember.objects.filter(user=user)
    if conversation_ids is not None:
        rows = rows.filter(conversation_id__in=conversation_ids)
    rows = rows.annotate(
        unread=_count(_unread_messages(user)),
        mention_count=_count(_unread_messages(user).filter(mentions=user)),
    ).values_list("conversation_id", "unread", "mention_count", "last_read_seq")
    return {str(cid): {"unread": u, "mentions": m, "last_read_seq": s} for cid, u, m, s in rows}


def unread_total(user: User) -> int:
    """Unread messages of the user over all their conversations (one query)."""
    return sum(row["unread"] for row in unread_counts(user).values())


def member_names(conversation_id: int) -> list[tuple[int, str, str]]:
    """(user id, display name, e-mail) of each member: mentions are resolved against them."""
    return list(
        ConversationMember.objects.filter(conversation_id=conversation_id).values_list(
            "user_id", "user__display_name", "user__email"
        )
    )


def conversation_members(conversation: Conversation) -> list[ConversationMember]:
    """The members of a conversation with their accounts, by name."""
    return list(conversation.memberships.select_related("user").order_by("user__display_name", "user_id"))


def active_users(user_ids: list[int]) -> list[User]:
    """Active accounts among `user_ids` (whom they may be added to is the services' rule)."""
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def active_user(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_by_id(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def notification_mode(user: User) -> str:
    from messaging.models import NotificationPreference

    preference = NotificationPreference.objects.filter(user=user).first()
    return preference.mode if preference else NotificationPreference.Mode.IMMEDIATE


def sync_messages(user: User, wanted: dict[int, int], limit: int) -> dict:
    """What a `sync` replays: for each requested conversation the user belongs to, the messages after
    the given seq (at most `limit`; `more` lists the conversations with more to fetch), plus the
    conversations the user is not in and fresh unread counts. 1 query + 3 per conversation + 1."""
    member_ids = set(
        ConversationMember.objects.filter(user=user, conversation_id__in=list(wanted)).values_list(
            "conversation_id", flat=True
        )
    )
    messages: dict[int, list[Message]] = {}
    more: list[int] = []
    for conversation_id in sorted(member_ids):
        rows = messages_since(conversation_id, wanted[conversation_id], limit + 1)
        if len(rows) > limit:
            rows = rows[:limit]
            more.append(conversation_id)
        messages[conversation_id] = rows
    return {
        "messages": messages,
        "more": more,
        "not_member": sorted(set(wanted) - member_ids),
        "unread": unread_counts(user, sorted(member_ids)),
    }


def socket_still_authenticated(scope, user_id: int) -> bool:
    """The account of a socket is still active, its session or token still exists (token not expired),
    and its second factor is set up if its role requires one: the base layer's one policy
    (federation.ws_auth.still_authenticated, issue 17)."""
    from federation.ws_auth import still_authenticated

    return still_authenticated(scope, user_id)


def conversation_last_seq(conversation_id: int) -> int:
    return Conversation.objects.filter(pk=conversation_id).values_list("last_seq", flat=True).first() or 0


def _connect_states_rows(user_ids) -> QuerySet:
    member = OuterRef("user_id")  # the row's user, in the unread subqueries
    return (
        ConversationMember.objects.filter(any_of("user_id", user_ids))
        .annotate(
            unread=_count(_unread_messages(member)),
            mention_count=_count(_unread_messages(member).filter(mentions=member)),
        )
        .values_list(
            "user_id", "conversation_id", "conversation__last_seq", "unread", "mention_count", "last_read_seq"
        )
    )


# Compiled once per process (building it took ~1.5 of its ~3 ms of Python; a reconnect storm runs
# 1,000 handshakes at once under one interpreter lock); on PostgreSQL one statement serves a batch of
# users of any size. The marker is an id no user has.
_connect_states_query = CompiledQuery(_connect_states_rows, marker=[-2_000_000_011])


def connect_states(user_ids: list[int]) -> dict[int, tuple[dict[int, int], dict[str, dict[str, int]]]]:
    """What a socket needs on connect, for several users in one statement: {user id: ({conversation id:
    last seq}, the unread counts as `unread_counts` gives them, the same rules)}."""
    states: dict[int, tuple[dict, dict]] = {user_id: ({}, {}) for user_id in user_ids}
    for user_id, conversation_id, last_seq, unread, mentions, last_read in _connect_states_query.rows_of(
        user_ids
    ):
        seqs, counts = states[user_id]
        seqs[conversation_id] = last_seq
        counts[str(conversation_id)] = {"unread": unread, "mentions": mentions, "last_read_seq": last_read}
    return states


def connect_state(user: User) -> tuple[dict[int, int], dict[str, dict[str, int]]]:
    return connect_states([user.pk])[user.pk]


def user_conversation_ids(user: User) -> list[int]:
    return list(ConversationMember.objects.filter(user=user).values_list("conversation_id", flat=True))


def user_conversation_seqs(user: User) -> dict[int, int]:
    """{conversation id: its last seq} for the user's conversations (one query)."""
    return dict(
        ConversationMember.objects.filter(user=user).values_list("conversation_id", "conversation__last_seq")
    )


def conversation_messages(conversation: Conversation) -> QuerySet[Message]:
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("author", "reply_to", "reply_to__author")
        .prefetch_related("mentions", attachments_prefetch())
    )


def history(
    conversation: Conversation, *, before: int | None = None, after: int | None = None, limit: int = 50
) -> list[Message]:
    """Cursor pagination on the sequence number: `before` (older page, newest last) or `after`."""
    limit = max(1, min(limit, settings.MESSAGING_PAGE_MAX))
    messages = conversation_messages(conversation)
    if after is not None:
        return list(messages.filter(seq__gt=after).order_by("seq")[:limit])
    if before is not None:
        messages = messages.filter(seq__lt=before)
    return list(reversed(messages.order_by("-seq")[:limit]))


def messages_since(conversation_id: int, seq: int, limit: int) -> list[Message]:
    return list(
        Message.objects.filter(conversation_id=conversation_id, seq__gt=seq)
        .select_related("author")
        .prefetch_related("mentions", attachments_prefetch())
        .order_by("seq")[:limit]
    )


def search_messages(user: User, query: str, *, limit: int = 50) -> QuerySet[Message]:
    """Messages the user can see (conversations they belong to) matching `query`.

    PostgreSQL: French full-text search (`to_tsvector('french', body)`, GIN-indexed), ranked. Other
    databases: a case-insensitive substring match, newest first.
    """
    visible = (
        Message.objects.filter(conversation__memberships__user=user, deleted_at__isnull=True)
        .select_related("author", "conversation")
        .prefetch_related(attachments_prefetch())
    )
    query = query.strip()
    if not query:
        return visible.none()
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchRank

        from messaging.models import SEARCH_VECTOR

        search = SearchQuery(query, config="french", search_type="websearch")
        return (
            visible.annotate(document=SEARCH_VECTOR, rank=SearchRank(SEARCH_VECTOR, search))
            .filter(document=search)
            .order_by("-rank", "-created_at")[:limit]
        )
    return visible.filter(body__icontains=query).order_by("-created_at")[:limit]


def federation_retention(federation: Federation) -> int | None:
    policy = getattr(federation, "chat_retention", None)
    return policy.retention_days if policy else None


def joinable_conversations(user: User) -> list[Conversation]:
    """Open conversations of the user's CPTS and federations that they have not joined yet. One query,
    plus one per (kind, CPTS or federation) among them."""
    from messaging.access import may_join

    candidates = (
        Conversation.objects.filter(is_open=True, archived_at__isnull=True)
        .exclude(kind=Conversation.Kind.DIRECT)
        .exclude(memberships__user=user)
        .filter(
            Q(cpts__memberships__user=user)
            | Q(federation__members__cpts__memberships__user=user)
            | Q(federation__roles__user=user)
        )
        .distinct()
        .select_related("cpts", "federation")
    )
    # The rule depends on the kind and the CPTS or federation only: checked once per pair.
    allowed: dict[tuple, bool] = {}
    joinable = []
    for conversation in candidates:
        key = (conversation.kind, conversation.cpts_id, conversation.federation_id)
        if key not in allowed:
            allowed[key] = may_join(user, conversation)
        if allowed[key]:
            joinable.append(conversation)
    return sorted(joinable, key=lambda c: (c.kind, c.title, c.pk))


def federation_people(federation: Federation, query: str = "", limit: int = 20) -> QuerySet[User]:
    """Active participants of the federation (members of its member CPTS, holders of a federation role),
    matching `query` on the name or e-mail: the people one may write to or invite."""
    people = User.objects.filter(is_active=True).filter(
        Q(
            memberships__cpts__federation_memberships__federation=federation,
            memberships__cpts__federation_memberships__left_on__isnull=True,
        )
        | Q(federation_roles__federation=federation)
    )
    query = query.strip()
    if query:
        people = people.filter(Q(display_name__icontains=query) | Q(email__icontains=query))
    return people.distinct().order_by("display_name", "email")[:limit]
