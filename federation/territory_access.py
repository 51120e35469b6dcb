"""Access helpers of the cockpit and of the federation's view of a member CPTS.

The cockpit and the federation view are for the federation's coordinators, admins and bureau (and staff).
Another federation's coordinator, like anyone who takes no part in the federation, gets a 404; a
participant who is not one of them (a member of a member CPTS, a partner delegate) gets a 403.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from federation.access import access_federation, can_manage_federation, membership_of
from federation.models import (
    CPTS_MANAGER_ROLES,
    FEDERATION_MANAGER_ROLES,
    Cpts,
    Federation,
    FederationRole,
    User,
)


def is_bureau_member(user: User, federation: Federation) -> bool:
    """A member of the federation's bureau in office today (governance's mandates)."""
    if not user.is_authenticated or not apps.is_installed("federation.governance"):
        return False
    mandate = apps.get_model("governance", "BureauMandate")
    today = timezone.localdate()
    return (
        mandate.objects.filter(federation=federation, user=user, starts_on__lte=today, ends_on__gte=today)
        .filter(Q(ended_early_on__isnull=True) | Q(ended_early_on__gt=today))
        .exists()
    )


def can_use_cockpit(user: User, federation: Federation) -> bool:
    """Federation admins and coordinators, staff, and the bureau in office."""
    if not user.is_authenticated:
        return False
    return can_manage_federation(user, federation) or is_bureau_member(user, federation)


def access_cockpit(user: User, federation_slug: str, *, for_write: bool = False) -> Federation:
    """The federation whose cockpit the user opens.

    Http404 when it does not exist or the user takes no part in it; PermissionDenied for a participant
    who is not a coordinator, admin or bureau member (and, with `for_write`, for the bureau too)."""
    federation = access_federation(user, federation_slug)
    allowed = can_manage_federation(user, federation) if for_write else can_use_cockpit(user, federation)
    if not allowed:
        raise PermissionDenied
    return federation


def access_member_cpts(
    user: User, federation_slug: str, cpts_slug: str, *, for_write: bool = False
) -> tuple[Federation, Cpts]:
    """A member CPTS as its federation sees it: the federation's cockpit users only.

    Http404 when the CPTS does not exist or is not a member of that federation today (a CPTS of another
    federation is "not found" as well); access to the federation as in `access_cockpit`."""
    federation = access_cockpit(user, federation_slug, for_write=for_write)
    cpts = (
        Cpts.objects.filter(
            slug=cpts_slug,
            federation_memberships__federation=federation,
            federation_memberships__left_on__isnull=True,
        )
        .distinct()
        .first()
    )
    if cpts is None:
        raise Http404
    return federation, cpts


def current_federation_id(cpts: Cpts) -> int | None:
    return (
        cpts.federation_memberships.filter(left_on__isnull=True)
        .values_list("federation_id", flat=True)
        .first()
    )


def is_federation_manager_of(user: User, cpts: Cpts) -> bool:
    """A coordinator or admin of the federation the CPTS belongs to today."""
    if not user.is_authenticated:
        return False
    federation_id = current_federation_id(cpts)
    return federation_id is not None and (
        FederationRole.objects.filter(
            user=user, federation_id=federation_id, role__in=FEDERATION_MANAGER_ROLES
        ).exists()
    )


def can_edit_territory(user: User, cpts: Cpts) -> bool:
    """The CPTS's coordinators and admins, staff, and its federation's coordinators and admins."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    membership = membership_of(user, cpts)
    if membership is not None and membership.role in CPTS_MANAGER_ROLES:
        return True
    return is_federation_manager_of(user, cpts)


def access_territory(user: User, cpts_slug: str, *, for_write: bool = False) -> Cpts:
    """A CPTS territory, for its members (and staff) and for its federation's cockpit users.

    Http404 when the CPTS does not exist or the user is neither; with `for_write`, PermissionDenied
    unless `can_edit_territory`."""
    if not user.is_authenticated:
        raise Http404
    cpts = Cpts.objects.filter(slug=cpts_slug).first()
    if cpts is None:
        raise Http404
    visible = user.is_staff or membership_of(user, cpts) is not None
    if not visible:
        federation_id = current_federation_id(cpts)
        federation = Federation.objects.filter(pk=federation_id).first() if federation_id else None
        visible = federation is not None and can_use_cockpit(user, federation)
    if not visible:
        raise Http404
    if for_write and not can_edit_territory(user, cpts):
        raise PermissionDenied
    return cpts


def federation_view_for(user: User, cpts_slug: str) -> tuple[Federation, Cpts] | None:
    """Where a cockpit user who is not a member of a CPTS sees it: the federation's view of it
    (None when the user has no such view, so the CPTS's own space stays a 404 for them)."""
    if not user.is_authenticated:
        return None
    cpts = Cpts.objects.filter(slug=cpts_slug).first()
    federation_id = current_federation_id(cpts) if cpts else None
    federation = Federation.objects.filter(pk=federation_id).first() if federation_id else None
    if federation is None or not can_use_cockpit(user, federation):
        return None
    return federation, cpts
