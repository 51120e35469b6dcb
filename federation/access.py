"""Access helpers: every lookup of a space goes through them.

"Not yours" and "does not exist" both raise Http404, so an outsider learns nothing; a member who may
see but not change something gets PermissionDenied (403).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from federation.models import (
    CPTS_MANAGER_ROLES,
    FEDERATION_MANAGER_ROLES,
    Cpts,
    Federation,
    FederationRole,
    Membership,
    User,
)


def membership_of(user: User, cpts: Cpts) -> Membership | None:
    """The user's membership in `cpts`, or None."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, cpts=cpts).first()


def access_cpts(user: User, slug: str, *, for_write: bool = False) -> Cpts:
    """The CPTS `slug` if the user is one of its members (or staff).

    Raises Http404 when the CPTS does not exist or the user is not a member; with `for_write`,
    PermissionDenied when the member is not a coordinator or admin of that CPTS.
    """
    if not user.is_authenticated:
        raise Http404
    cpts = Cpts.objects.filter(slug=slug).first()
    if cpts is None:
        raise Http404
    if user.is_staff:
        return cpts
    membership = membership_of(user, cpts)
    if membership is None:
        raise Http404
    if for_write and membership.role not in CPTS_MANAGER_ROLES:
        raise PermissionDenied
    return cpts


def can_manage_federation(user: User, federation: Federation) -> bool:
    """Federation admins and coordinators manage the federation space (staff too)."""
    if user.is_staff:
        return True
    return FederationRole.objects.filter(
        user=user,
        federation=federation,
        role__in=FEDERATION_MANAGER_ROLES,
    ).exists()


def is_federation_participant(user: User, federation: Federation) -> bool:
    """Members of a member CPTS, and holders of a federation role (partner delegates included)."""
    if not user.is_authenticated:
        return False
    return (
        Federation.objects.filter(pk=federation.pk)
        .filter(Q(members__cpts__memberships__user=user, members__left_on__isnull=True) | Q(roles__user=user))
        .exists()
    )


def access_federation(user: User, slug: str, *, for_write: bool = False) -> Federation:
    """The federation `slug` if the user takes part in it (or staff).

    Raises Http404 when it does not exist or the user has no part in it; with `for_write`,
    PermissionDenied unless the user is a federation admin or coordinator.
    """
    if not user.is_authenticated:
        raise Http404
    federation = Federation.objects.select_related("departement").filter(slug=slug).first()
    if federation is None:
        raise Http404
    if not (user.is_staff or is_federation_participant(user, federation)):
        raise Http404
    if for_write and not can_manage_federation(user, federation):
        raise PermissionDenied
    return federation
