"""Reads of membership: member CPTS and partners as governance sees them, delegates, fees."""

from django.db.models import Prefetch, Q, QuerySet

from federation.governance.membership.models import Delegate, Fee, MemberProceeding
from federation.models import (
    College,
    Cpts,
    CptsRole,
    Federation,
    FederationMember,
    FederationRole,
    Membership,
    User,
)

# The CPTS roles that may designate the CPTS's delegates (besides the governance managers).
DESIGNATING_ROLES = (CptsRole.COORDINATOR, CptsRole.ADMIN, CptsRole.BUREAU)


def college_members(federation: Federation, college: str) -> QuerySet[FederationMember]:
    return (
        FederationMember.objects.filter(federation=federation, college=college, left_on__isnull=True)
        .select_related("cpts", "partner")
        .order_by("cpts__name", "partner__name")
    )


def active_members(federation: Federation) -> QuerySet[FederationMember]:
    """Every current member of the federation (both colleges), CPTS first."""
    return (
        FederationMember.objects.filter(federation=federation, left_on__isnull=True)
        .select_related("cpts", "partner")
        .order_by("college", "cpts__name", "partner__name")
    )


def member_of(federation: Federation, member_id) -> FederationMember | None:
    """A current member of `federation` by id (None when unknown, gone, or of another federation)."""
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        return None
    return active_members(federation).filter(pk=member_id).first()


def cpts_member_by_slug(federation: Federation, cpts_slug: str) -> FederationMember | None:
    return college_members(federation, College.CPTS).filter(cpts__slug=cpts_slug).first()


def active_delegates(federation: Federation) -> QuerySet[Delegate]:
    return (
        Delegate.objects.filter(federation=federation, until__isnull=True, member__left_on__isnull=True)
        .select_related("user", "member__cpts")
        .order_by("member__cpts__name", "kind")
    )


def delegate_of(federation: Federation, delegate_id) -> Delegate | None:
    """A delegate in office of `federation` (None when unknown, revoked, or of another federation)."""
    try:
        delegate_id = int(delegate_id)
    except (TypeError, ValueError):
        return None
    return active_delegates(federation).select_related("federation").filter(pk=delegate_id).first()


def participant_users(federation: Federation, user_ids) -> dict[int, User]:
    """The people among `user_ids` who take part in `federation` (members of a member CPTS, or with a
    role in the federation), by id; anyone else is left out, as if unknown."""
    ids = []
    for value in user_ids or []:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    users = User.objects.filter(pk__in=ids).filter(
        Q(
            memberships__cpts__federation_memberships__federation=federation,
            memberships__cpts__federation_memberships__left_on__isnull=True,
        )
        | Q(federation_roles__federation=federation)
    )
    return {user.pk: user for user in users.distinct()}


def participant_user(federation: Federation, user_id) -> User | None:
    return next(iter(participant_users(federation, [user_id]).values()), None)


def delegate_user(federation: Federation, user_id) -> User | None:
    """A person who is a delegate in office of a member CPTS (None otherwise)."""
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    delegate = active_delegates(federation).filter(user_id=user_id).first()
    return delegate.user if delegate else None


def delegate_users(federation: Federation, user_ids) -> tuple[list[User], list]:
    """The delegates of the CPTS college among `user_ids` (in the order given), and the ids that are
    not (unknown people, or not delegates of a member CPTS)."""
    wanted = []
    for value in user_ids or []:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            wanted.append(value)
    found = {
        d.user_id: d.user
        for d in active_delegates(federation).filter(
            user_id__in=[v for v in wanted if isinstance(v, int)], member__college=College.CPTS
        )
    }
    return [found[v] for v in wanted if v in found], [v for v in wanted if v not in found]


def fees(federation: Federation) -> QuerySet[Fee]:
    return Fee.objects.filter(federation=federation).select_related("member__cpts", "member__partner")


def fees_visible_to(federation: Federation, user: User, *, manager: bool) -> QuerySet[Fee]:
    """Every fee for the governance managers (the treasurer calls them); otherwise only the fees of the
    CPTS the user belongs to and of the partner they represent: what another member owes is not theirs
    to read (the governance page shows fees to managers only)."""
    if manager:
        return fees(federation)
    return (
        fees(federation)
        .filter(Q(member__cpts__memberships__user=user) | Q(member__partner__delegates__user=user))
        .distinct()
    )


def fee_of(federation: Federation, fee_id) -> Fee | None:
    try:
        fee_id = int(fee_id)
    except (TypeError, ValueError):
        return None
    return fees(federation).select_related("federation").filter(pk=fee_id).first()


def member_label(member: FederationMember | None) -> str:
    if member is None:
        return ""
    return str(member.cpts or member.partner)


def _carried_by(user: User, federation: Federation) -> Q:
    return Q(delegates__user=user, delegates__until__isnull=True) | Q(
        partner__delegates__user=user,
        partner__delegates__role=FederationRole.Role.PARTNER_DELEGATE,
        partner__delegates__federation=federation,
    )


def represented_members(user: User, federation: Federation) -> list[FederationMember]:
    """Members (CPTS or partner) whose voice `user` carries as their delegate."""
    if not user.is_authenticated:
        return []
    return list(
        FederationMember.objects.filter(federation=federation, left_on__isnull=True)
        .filter(_carried_by(user, federation))
        .select_related("cpts", "partner")
        .distinct()
    )


def represented_member_ids(user: User, federation: Federation) -> list[int]:
    return [member.pk for member in represented_members(user, federation)]


def is_delegate_of(actor: User, federation: Federation, member: FederationMember) -> bool:
    """Whether `actor` carries `member`'s voice: a delegate of that CPTS, or that partner's delegate."""
    if Delegate.objects.filter(member=member, user=actor, until__isnull=True).exists():
        return True
    return (
        bool(member.partner_id)
        and member.partner.delegates.filter(user=actor, federation=federation).exists()
    )


def may_designate(user: User, federation: Federation, cpts) -> bool:
    """Whether `user` is one of the CPTS's coordinators, admins or bureau (who choose its delegates)."""
    return Membership.objects.filter(user=user, cpts=cpts, role__in=DESIGNATING_ROLES).exists()


def designable_members(user: User, federation: Federation, *, manager: bool) -> list[tuple]:
    """(member, candidate users) of the member CPTS whose delegates `user` may designate: all of them for
    a governance manager, else the CPTS where `user` is coordinator, admin or bureau. Two queries."""
    members = college_members(federation, College.CPTS)
    if not manager:
        members = members.filter(
            cpts__memberships__user=user, cpts__memberships__role__in=DESIGNATING_ROLES
        ).distinct()
    members = members.prefetch_related(
        Prefetch(
            "cpts__memberships",
            queryset=Membership.objects.select_related("user").order_by("user__display_name", "user__email"),
            to_attr="all_memberships",
        )
    )
    return [(member, [m.user for m in member.cpts.all_memberships]) for member in members]


def joinable_cpts(user: User, federation: Federation, *, manager: bool) -> QuerySet:
    """The CPTS `user` may declare as joining: those where they are coordinator, admin or bureau (any CPTS
    for a governance manager), that are members of no federation today."""
    current = FederationMember.objects.filter(left_on__isnull=True, cpts__isnull=False).values("cpts_id")
    cpts = Cpts.objects.exclude(pk__in=current).order_by("name")
    if not manager:
        cpts = cpts.filter(memberships__user=user, memberships__role__in=DESIGNATING_ROLES).distinct()
    return cpts


def cpts_by_slug(slug: str) -> Cpts | None:
    return Cpts.objects.filter(slug=slug).first()


def partner_delegates(federation: Federation) -> QuerySet[FederationRole]:
    return (
        FederationRole.objects.filter(federation=federation, role=FederationRole.Role.PARTNER_DELEGATE)
        .select_related("user", "partner")
        .order_by("partner__name", "user__email")
    )


def federation_by_slug(slug: str) -> Federation | None:
    """A federation by its slug, for a CPTS that declares it joins (not a participant yet)."""
    return Federation.objects.filter(slug=slug).first()


def proceeding_of(federation: Federation, proceeding_id):
    try:
        proceeding_id = int(proceeding_id)
    except (TypeError, ValueError):
        return None
    return (
        MemberProceeding.objects.filter(federation=federation, pk=proceeding_id)
        .select_related("federation", "member__cpts", "member__partner")
        .first()
    )


def pending_proceedings(federation: Federation):
    return MemberProceeding.objects.filter(federation=federation, outcome="pending").select_related(
        "member__cpts", "member__partner"
    )


def partner_of(federation: Federation, slug: str):
    return federation.partners.filter(slug=slug).first()


def user_by_id(user_id) -> User | None:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()
