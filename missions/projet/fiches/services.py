"""Writes of the fiches action and of the federation's library.

Seed 001's "Modèle de fiche projet": libellé, problématique, objectif général et objectifs spécifiques, actions
à mettre en œuvre, acteurs impliqués et partenaires, coordinateur de l'action, calendrier, critères
d'évaluation, moyens nécessaires. Seed 004 asks the federation to pool tools and actions: a CPTS publishes a
fiche for the other CPTS of its federation, which copy it into their own projet.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Cpts, User
from missions.projet.access import can_manage
from missions.projet.fiches.selectors import cpts_indicators, same_federation
from missions.projet.models import FicheAction, FicheStatus

EDITABLE_FIELDS = (
    "title",
    "mission",
    "problem",
    "objectives",
    "actions",
    "actors",
    "action_lead",
    "calendar",
    "starts_on",
    "ends_on",
    "evaluation_criteria",
    "resources",
    "indicators",
)
# What a copy takes from its original: the content, never the status, the dates or the publication.
# Indicators are the copying CPTS's own contract's: never copied.
COPIED_FIELDS = tuple(f for f in EDITABLE_FIELDS if f not in ("starts_on", "ends_on", "indicators"))


def _require_manager(actor: User | None, cpts: Cpts) -> None:
    if actor is not None and not can_manage(actor, cpts):
        raise PermissionDenied


def _save(fiche: FicheAction) -> FicheAction:
    fiche.full_clean()
    fiche.save()
    return fiche


def _apply(fiche: FicheAction, data: dict) -> list | None:
    """Set the fields; returns the indicators to set once the fiche is saved (None: unchanged)."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ServiceError(_("Champ inconnu."), code="unknown_field", field=sorted(unknown)[0])
    data = dict(data)
    indicators = data.pop("indicators", None)
    for name, value in data.items():
        setattr(fiche, name, value)
    return None if indicators is None else list(indicators)


def _set_indicators(fiche: FicheAction, indicators: list | None) -> None:
    """A fiche points at indicators of its own CPTS's contract, for its own mission."""
    if indicators is None:
        return
    allowed = set(cpts_indicators(fiche.cpts, mission=fiche.mission).values_list("pk", flat=True))
    if any(i.pk not in allowed for i in indicators):
        raise ServiceError(
            _("Choisissez des indicateurs du contrat ACI de la CPTS, pour la mission de la fiche."),
            code="wrong_indicator",
            field="indicators",
        )
    fiche.indicators.set(indicators)


@transaction.atomic
def fiche_create(*, actor: User | None, cpts: Cpts, data: dict) -> FicheAction:
    _require_manager(actor, cpts)
    fiche = FicheAction(cpts=cpts, created_by=actor)
    indicators = _apply(fiche, data)
    _save(fiche)
    _set_indicators(fiche, indicators)
    return fiche


@transaction.atomic
def fiche_update(*, actor: User | None, fiche: FicheAction, data: dict) -> FicheAction:
    _require_manager(actor, fiche.cpts)
    fiche = FicheAction.objects.select_for_update().get(pk=fiche.pk)
    indicators = _apply(fiche, data)
    _save(fiche)
    if indicators is None and "mission" in data:
        indicators = [i for i in fiche.indicators.all() if i.mission.number == fiche.mission]  # drop others
    _set_indicators(fiche, indicators)
    return fiche


# A fiche moves forward (draft → validated → in progress → done); it can be abandoned, or reopened as a draft.
TRANSITIONS = {
    FicheStatus.DRAFT: {FicheStatus.VALIDATED, FicheStatus.ABANDONED},
    FicheStatus.VALIDATED: {FicheStatus.IN_PROGRESS, FicheStatus.DRAFT, FicheStatus.ABANDONED},
    FicheStatus.IN_PROGRESS: {FicheStatus.DONE, FicheStatus.ABANDONED},
    FicheStatus.DONE: set(),
    FicheStatus.ABANDONED: {FicheStatus.DRAFT},
}


@transaction.atomic
def fiche_set_status(*, actor: User | None, fiche: FicheAction, status: str) -> FicheAction:
    _require_manager(actor, fiche.cpts)
    fiche = FicheAction.objects.select_for_update().get(pk=fiche.pk)
    if status not in FicheStatus.values:
        raise ServiceError(_("Statut inconnu."), code="unknown_status", field="status")
    if status == fiche.status:
        return fiche
    if status not in TRANSITIONS[FicheStatus(fiche.status)]:
        raise ServiceError(
            _("Une fiche « %(from)s » ne peut pas passer à « %(to)s ».")
            % {"from": fiche.get_status_display(), "to": FicheStatus(status).label},
            code="wrong_status",
            field="status",
        )
    fiche.status = status
    return _save(fiche)


@transaction.atomic
def fiche_delete(*, actor: User | None, fiche: FicheAction) -> None:
    """Only a draft that was never published can be deleted; otherwise abandon it (its copies keep their origin)."""
    _require_manager(actor, fiche.cpts)
    if fiche.status != FicheStatus.DRAFT or fiche.published_at:
        raise ServiceError(
            _("Seul un brouillon jamais publié peut être supprimé : passez la fiche à « Abandonnée »."),
            code="not_deletable",
        )
    fiche.delete()


@transaction.atomic
def fiche_publish(*, actor: User | None, fiche: FicheAction, publish: bool = True) -> FicheAction:
    """Publish a fiche in the federation's library (or withdraw it). A draft is not published: validate it first."""
    _require_manager(actor, fiche.cpts)
    fiche = FicheAction.objects.select_for_update(of=("self",)).select_related("cpts").get(pk=fiche.pk)
    if publish:
        if fiche.status in (FicheStatus.DRAFT, FicheStatus.ABANDONED):
            raise ServiceError(
                _("Validez la fiche avant de la publier dans la bibliothèque de la fédération."),
                code="fiche_not_validated",
            )
        fiche.published_at = fiche.published_at or timezone.now()
    else:
        fiche.published_at = None
    return _save(fiche)


@transaction.atomic
def fiche_copy(*, actor: User | None, source: FicheAction, into: Cpts) -> FicheAction:
    """Copy a published fiche of another CPTS of the same federation into `into`'s projet, as a draft that
    remembers where it came from (the original, its CPTS's name and title at the time of the copy). `source`
    must come from `fiches.selectors.library_fiche` (published, same federation)."""
    _require_manager(actor, into)
    if source.cpts_id == into.pk:
        raise ServiceError(_("Cette fiche est déjà dans votre projet."), code="own_fiche")
    if not source.is_published:
        raise ServiceError(_("Seule une fiche publiée peut être copiée."), code="fiche_not_published")
    if not same_federation(source.cpts, into):
        raise ServiceError(
            _("Cette fiche vient d'une CPTS d'une autre fédération."), code="other_federation", field="cpts"
        )
    copy = FicheAction(
        cpts=into,
        created_by=actor,
        status=FicheStatus.DRAFT,
        copied_from=source,
        origin_cpts_name=source.cpts.name,
        origin_title=source.title,
        copied_at=timezone.now(),
    )
    for name in COPIED_FIELDS:
        setattr(copy, name, getattr(source, name))
    # The copying CPTS names its own lead: the original's is another CPTS's member.
    copy.action_lead = _("À désigner")
    return _save(copy)
