"""Reads of the fiches action and of the federation's library (published fiches of the same federation)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from federation.models import CPTS_MANAGER_ROLES, Cpts, FederationMember, User
from federation.selectors import cpts_federation, user_federations
from missions.models import Indicator
from missions.projet.models import FicheAction, FicheStatus


def cpts_fiches(cpts: Cpts) -> QuerySet[FicheAction]:
    return (
        FicheAction.objects.filter(cpts=cpts)
        .select_related("cpts", "copied_from__cpts")
        .prefetch_related("indicators__mission")
        .order_by("mission", "title", "id")
    )


def counted_fiches(cpts: Cpts) -> QuerySet[FicheAction]:
    """The fiches that count for the projet (seed 001: "au minimum deux fiches action"): not abandoned."""
    return FicheAction.objects.filter(cpts=cpts).exclude(status=FicheStatus.ABANDONED)


def _library_cpts_ids(user: User) -> QuerySet:
    """CPTS of the federations the user takes part in (through a member CPTS, or a federation role)."""
    federations = user_federations(user).values("pk")
    return FederationMember.objects.filter(
        federation_id__in=federations, left_on__isnull=True, cpts__isnull=False
    ).values("cpts_id")


def library_fiches(user: User, *, mission: int | None = None) -> QuerySet[FicheAction]:
    """Published fiches of the CPTS of the user's federation(s); nothing outside them."""
    if not user.is_authenticated:
        return FicheAction.objects.none()
    fiches = FicheAction.objects.filter(published_at__isnull=False)
    if not user.is_staff:
        fiches = fiches.filter(cpts_id__in=_library_cpts_ids(user))
    if mission:
        fiches = fiches.filter(mission=mission)
    return (
        fiches.select_related("cpts").prefetch_related("indicators__mission").order_by("-published_at", "id")
    )


def library_fiche(user: User, fiche_id: int) -> FicheAction:
    """A published fiche the user may read in the library; 404 otherwise (drafts and other federations)."""
    fiche = library_fiches(user).filter(pk=fiche_id).first()
    if fiche is None:
        raise Http404
    return fiche


def same_federation(a: Cpts, b: Cpts) -> bool:
    fed = cpts_federation(a)
    return (
        fed is not None
        and FederationMember.objects.filter(federation=fed, cpts=b, left_on__isnull=True).exists()
    )


def managed_cpts(user: User) -> QuerySet[Cpts]:
    """The CPTS whose projet the user may write into (coordinator or admin)."""
    if not user.is_authenticated:
        return Cpts.objects.none()
    return Cpts.objects.filter(memberships__user=user, memberships__role__in=CPTS_MANAGER_ROLES).order_by(
        "name"
    )


def cpts_indicators(cpts: Cpts, *, mission: int | None = None) -> QuerySet[Indicator]:
    """The contract year's indicators of the CPTS's ACI contracts (a fiche points at those of its mission)."""
    indicators = Indicator.objects.filter(mission__contract__cpts=cpts).select_related("mission")
    if mission:
        indicators = indicators.filter(mission__number=mission)
    return indicators.order_by("mission__number", "kind", "id")


def indicators_by_ids(ids) -> list[Indicator]:
    return list(Indicator.objects.filter(pk__in=set(ids)).select_related("mission"))
