"""Reads of the base layer. Querysets are scoped and carry their select/prefetch."""

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from federation.compiled_sql import CompiledQuery, any_of
from federation.models import (
    College,
    Commune,
    Cpts,
    Federation,
    FederationMember,
    FederationRole,
    Membership,
    Partner,
    User,
)
from federation.territory import aci_size_tier


def cpts_with_population() -> QuerySet[Cpts]:
    return Cpts.objects.annotate(population=Coalesce(Sum("territory__commune__population"), 0))


def cpts_population(cpts: Cpts) -> int:
    return Commune.objects.filter(cpts_link__cpts=cpts).aggregate(total=Sum("population"))["total"] or 0


def cpts_size_tier(cpts: Cpts) -> int:
    return aci_size_tier(cpts_population(cpts))


def cpts_communes(cpts: Cpts) -> QuerySet[Commune]:
    return Commune.objects.filter(cpts_link__cpts=cpts).select_related("departement", "epci")


def active_members(federation: Federation) -> QuerySet[FederationMember]:
    return federation.members.filter(left_on__isnull=True).select_related("cpts", "partner")


def member_cpts(federation: Federation) -> QuerySet[Cpts]:
    """The CPTS that are members of `federation` today (its CPTS college)."""
    return Cpts.objects.filter(
        federation_memberships__federation=federation,
        federation_memberships__left_on__isnull=True,
    )


def member_partners(federation: Federation) -> QuerySet[Partner]:
    """The partners sitting in the federation's partners college today."""
    return Partner.objects.filter(
        memberships__federation=federation,
        memberships__college=College.PARTNERS,
        memberships__left_on__isnull=True,
    )


def cpts_federation(cpts: Cpts) -> Federation | None:
    """The federation `cpts` belongs to today, if any."""
    return (
        Federation.objects.filter(members__cpts=cpts, members__left_on__isnull=True)
        .select_related("departement")
        .first()
    )


def user_cpts(user: User) -> QuerySet[Cpts]:
    """The CPTS the user is a member of (any role)."""
    if not user.is_authenticated:
        return Cpts.objects.none()
    return Cpts.objects.filter(memberships__user=user)


def _federations_of(user_id: int) -> QuerySet[Federation]:
    return Federation.objects.filter(
        Q(members__cpts__memberships__user_id=user_id, members__left_on__isnull=True)
        | Q(roles__user_id=user_id)
    ).distinct()


def user_federations(user: User) -> QuerySet[Federation]:
    """Federations the user belongs to: through a member CPTS or a federation role."""
    if not user.is_authenticated:
        return Federation.objects.none()
    return _federations_of(user.pk).select_related("departement")


def user_federation_ids(user: User) -> list[int]:
    """The ids of `user_federations(user)`, without building a queryset."""
    if not user.is_authenticated:
        return []
    return federation_ids_of_users([user.pk])[user.pk]


def _user_federation_pairs(user_ids) -> QuerySet:
    """(user id, federation id) of `user_federations` for several users: through a member CPTS, or a
    federation role."""
    return (
        FederationMember.objects.filter(any_of("cpts__memberships__user_id", user_ids), left_on__isnull=True)
        .values_list("cpts__memberships__user_id", "federation_id")
        .union(
            FederationRole.objects.filter(any_of("user_id", user_ids)).values_list("user_id", "federation_id")
        )
    )


# A batch of socket handshakes (a reconnect storm): one statement for all, compiled once per process.
_federation_pairs_query = CompiledQuery(_user_federation_pairs, marker=[-2_000_000_011])


def federation_ids_of_users(user_ids: list[int]) -> dict[int, list[int]]:
    """{user id: `user_federation_ids`} for several users, in one statement."""
    found: dict[int, list[int]] = {user_id: [] for user_id in user_ids}
    for user_id, federation_id in _federation_pairs_query.rows_of(user_ids):
        found[user_id].append(federation_id)
    return {user_id: sorted(ids) for user_id, ids in found.items()}


def user_memberships(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("cpts").order_by("cpts__name")


def federation_roles(user: User, federation: Federation) -> QuerySet[FederationRole]:
    return FederationRole.objects.filter(user=user, federation=federation).select_related("partner")


def cpts_members(cpts: Cpts) -> QuerySet[Membership]:
    return cpts.memberships.select_related("user").order_by("user__display_name")


def account_exists(email: str) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exists()
