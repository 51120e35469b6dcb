"""Access helpers of the register, the projet de santé and the fiches.

A CPTS's register and drafts are private to it: anything outside the user's CPTS is a 404, like a row that
does not exist; a member who may read but not write gets PermissionDenied (403). Managers are the CPTS's
coordinators and admins (federation.models.CPTS_MANAGER_ROLES).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from federation.access import access_cpts, membership_of
from federation.models import Cpts, User
from missions.projet.models import FicheAction, RegisterMember


def can_manage(user: User, cpts: Cpts) -> bool:
    """Coordinators and admins of `cpts` (and staff) manage its register, projet and fiches."""
    if user.is_staff:
        return True
    membership = membership_of(user, cpts)
    return membership is not None and membership.can_manage


def access_projet_cpts(user: User, slug: str, *, for_write: bool = False) -> Cpts:
    """The CPTS `slug` for its register, projet and fiches: 404 for non-members, 403 for a write by a
    member who is not a manager."""
    return access_cpts(user, slug, for_write=for_write)


def access_register_member(
    user: User, cpts: Cpts, member_id: int, *, for_write: bool = False
) -> RegisterMember:
    """A line of `cpts`'s register (the CPTS already resolved for the user): 404 if it is another CPTS's."""
    member = (
        RegisterMember.objects.select_related("cpts", "category", "professional__profession", "structure")
        .filter(cpts=cpts, pk=member_id)
        .first()
    )
    if member is None:
        raise Http404
    if for_write and not can_manage(user, cpts):
        raise PermissionDenied
    return member


def access_own_adhesion(user: User, member_id: int) -> RegisterMember:
    """A register line of the user's own directory entry, whatever the CPTS (they may no longer have access
    to its space once they resigned); 404 for anyone else's."""
    if not user.is_authenticated:
        raise Http404
    member = (
        RegisterMember.objects.select_related("cpts", "category", "professional__user")
        .filter(pk=member_id, professional__user=user)
        .first()
    )
    if member is None:
        raise Http404
    return member


def access_fiche(user: User, cpts: Cpts, fiche_id: int, *, for_write: bool = False) -> FicheAction:
    """A fiche of `cpts` (resolved for the user): drafts are private to the CPTS."""
    fiche = (
        FicheAction.objects.select_related("cpts", "copied_from__cpts").filter(cpts=cpts, pk=fiche_id).first()
    )
    if fiche is None:
        raise Http404
    if for_write and not can_manage(user, cpts):
        raise PermissionDenied
    return fiche


def join_target_cpts(slug: str) -> Cpts:
    """A CPTS a professional asks to join: any existing CPTS (its name is public; its register is not)."""
    cpts = Cpts.objects.filter(slug=slug).first()
    if cpts is None:
        raise Http404
    return cpts
