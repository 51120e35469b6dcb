"""Reads every sub-domain of the pooled resources shares: the people and CPTS a user may pick."""

from django.db.models import Q, QuerySet

from federation.models import Cpts, Federation, FederationMember, User
from federation.selectors import member_cpts, user_federations
from shared_actions.access import scope_of


def federation_people_q(*, cpts_id: int | None, federation_id: int | None) -> Q:
    """The people of a space: members of its CPTS and, for a federation, the members of its CPTS
    today and its role holders (partner delegates included)."""
    q = Q(memberships__cpts_id=cpts_id) if cpts_id else Q(pk__in=[])
    if federation_id:
        cpts_ids = FederationMember.objects.filter(
            federation_id=federation_id, left_on__isnull=True, cpts__isnull=False
        ).values("cpts_id")
        q |= Q(memberships__cpts_id__in=cpts_ids) | Q(federation_roles__federation_id=federation_id)
    return q


def federations_cpts(federations) -> QuerySet[Cpts]:
    """The CPTS members today of the given federations, by name."""
    return (
        Cpts.objects.filter(
            federation_memberships__federation__in=federations,
            federation_memberships__left_on__isnull=True,
        )
        .distinct()
        .order_by("name")
    )


def organising_federations(user: User) -> list[Federation]:
    """Federations where the user may organise pooled actions (rosters, campaigns): its staff (or the
    platform staff), or a coordinator/admin of one of its member CPTS. One query after the scope's."""
    scope = scope_of(user)
    federations = user_federations(user)
    if not scope.is_staff:
        federations = federations.filter(
            Q(pk__in=scope.managed_federation_ids)
            | Q(members__cpts_id__in=scope.managed_cpts_ids, members__left_on__isnull=True)
        )
    return list(federations.distinct())


def member_cpts_by_slug(federation: Federation, slug: str) -> Cpts | None:
    return member_cpts(federation).filter(slug=slug).first() if slug else None


def recipient_cpts(user: User) -> QuerySet[Cpts]:
    """The CPTS a user may share with or pool with: the members of the user's federations."""
    return federations_cpts(user_federations(user))


def active_users(ids) -> list[User]:
    """Active accounts by id (callers refuse the request when some are missing)."""
    return list(User.objects.filter(pk__in=set(ids or []), is_active=True))


def active_user(user_id) -> User | None:
    return User.objects.filter(pk=user_id, is_active=True).first()


def federation_by_pk(pk: int) -> Federation | None:
    return Federation.objects.filter(pk=pk).first()


def cpts_id_by_slug(slug: str) -> int | None:
    return Cpts.objects.filter(slug=slug).values_list("pk", flat=True).first()
