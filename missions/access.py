"""Access helpers of the contract year, built on `federation.access`.

A contract and its indicators are visible to the members of its CPTS (any role) and to staff; writes are
for the CPTS's coordinators and admins. Another CPTS's contract or indicator is a 404 like a missing one;
a member without rights who tries a write gets a 403. The federation roll-up is for the federation's
coordinators and admins and its bureau in office (governance), and shows only its member CPTS.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from federation.access import access_cpts, access_federation, membership_of
from federation.governance.access import can_manage_governance
from federation.models import CPTS_MANAGER_ROLES, Cpts, Federation, User
from missions.models import Contract, Indicator, ReviewPack


def can_manage_contract(user: User, cpts: Cpts) -> bool:
    """Coordinators and admins of the CPTS (and staff) keep its contract and indicators."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    membership = membership_of(user, cpts)
    return membership is not None and membership.role in CPTS_MANAGER_ROLES


def current_contract_of(cpts: Cpts) -> Contract | None:
    return Contract.objects.filter(cpts=cpts).select_related("cpts").order_by("-signed_on").first()


def access_contract(user: User, cpts_slug: str, *, for_write: bool = False) -> Contract:
    """The current contract of CPTS `cpts_slug` for one of its members.

    Http404 when the CPTS does not exist, the user is not a member, or the CPTS has no contract; with
    `for_write`, PermissionDenied unless the user is a coordinator or admin of the CPTS.
    """
    cpts = access_cpts(user, cpts_slug, for_write=for_write)
    contract = current_contract_of(cpts)
    if contract is None:
        raise Http404
    return contract


def access_indicator(user: User, indicator_id: int, *, for_write: bool = False) -> Indicator:
    """An indicator of a contract of one of the user's CPTS.

    Http404 when it does not exist or belongs to another CPTS; with `for_write`, PermissionDenied for a
    member who is not a coordinator or admin of that CPTS.
    """
    if not user.is_authenticated:
        raise Http404
    indicator = Indicator.objects.select_related("mission__contract__cpts").filter(pk=indicator_id).first()
    if indicator is None:
        raise Http404
    cpts = indicator.mission.contract.cpts
    if not user.is_staff and membership_of(user, cpts) is None:
        raise Http404
    if for_write and not can_manage_contract(user, cpts):
        raise PermissionDenied
    return indicator


def access_review_pack(user: User, pack_id: int) -> ReviewPack:
    """A review pack of a contract of one of the user's CPTS (Http404 otherwise)."""
    if not user.is_authenticated:
        raise Http404
    pack = ReviewPack.objects.select_related("contract__cpts").filter(pk=pack_id).first()
    if pack is None or not (user.is_staff or membership_of(user, pack.contract.cpts) is not None):
        raise Http404
    return pack


def can_see_rollup(user: User, federation: Federation) -> bool:
    return can_manage_governance(user, federation)


def access_rollup(user: User, federation_slug: str) -> Federation:
    """The federation whose roll-up the user may read: its coordinators, admins and bureau in office.

    Http404 when the user takes no part in the federation; PermissionDenied for its other participants.
    """
    federation = access_federation(user, federation_slug)
    if not can_see_rollup(user, federation):
        raise PermissionDenied
    return federation
