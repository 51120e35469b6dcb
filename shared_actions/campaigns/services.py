"""Writes of prevention campaigns: campaigns, actions and their checklists, indicators, values,
materials. Keyword-only, atomic, validated before save; errors are ServiceErrors."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Commune, Cpts, Federation, User
from shared_actions.access import scope_of
from shared_actions.campaigns.access import can_manage_campaign, can_report_for
from shared_actions.campaigns.models import ActionTask, Campaign, CampaignAction, Indicator, IndicatorValue
from shared_actions.documents.models import Document
from shared_actions.rules import require_member_cpts


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    federation: Federation,
    title: str,
    theme: str,
    start_date: dt.date,
    end_date: dt.date,
    lead_cpts: Cpts,
    participants: Iterable[Cpts] = (),
    target_population: str = "",
    objectives: str = "",
) -> Campaign:
    """A département campaign: federation staff or the coordinators of the lead CPTS create it."""
    scope = scope_of(actor)
    if not (scope.manages_federation(federation.pk) or scope.manages_cpts(lead_cpts.pk)):
        raise PermissionDenied
    participants = {c.pk: c for c in participants}
    participants[lead_cpts.pk] = lead_cpts
    require_member_cpts(federation, participants.values(), code="participant_outside")
    if end_date < start_date:
        raise ServiceError(_("La fin de la campagne doit suivre son début."), code="bad_period")
    campaign = Campaign(
        federation=federation,
        title=title,
        theme=theme,
        start_date=start_date,
        end_date=end_date,
        lead_cpts=lead_cpts,
        target_population=target_population,
        objectives=objectives,
        created_by=actor,
    )
    campaign.full_clean()
    campaign.save()
    campaign.participants.set(participants.values())
    return campaign


def _participant_ids(campaign: Campaign) -> set[int]:
    return set(campaign.participants.values_list("pk", flat=True))


@transaction.atomic
def campaign_action_create(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    date: dt.date,
    cpts: Cpts,
    commune: Commune | None = None,
    place: str = "",
    person_in_charge: User | None = None,
    resources: str = "",
    tasks: Iterable[str] = (),
) -> CampaignAction:
    """An action of the campaign, run by one participating CPTS (its coordinators, or the campaign's)."""
    scope = scope_of(actor)
    if cpts.pk not in _participant_ids(campaign):
        raise ServiceError(_("Cette CPTS ne participe pas à la campagne."), code="cpts_outside")
    if not can_report_for(scope, campaign, cpts.pk):
        raise PermissionDenied
    action = CampaignAction(
        campaign=campaign,
        title=title,
        date=date,
        cpts=cpts,
        commune=commune,
        place=place,
        person_in_charge=person_in_charge,
        resources=resources,
    )
    action.full_clean()
    action.save()
    ActionTask.objects.bulk_create(
        [ActionTask(action=action, label=label) for label in tasks if label.strip()]
    )
    return action


def _check_participant_member(actor: User, campaign: Campaign) -> None:
    scope = scope_of(actor)
    if can_manage_campaign(scope, campaign) or _participant_ids(campaign) & scope.cpts_ids:
        return
    raise PermissionDenied


@transaction.atomic
def action_task_add(*, actor: User, action: CampaignAction, label: str) -> ActionTask:
    """Any member of a participating CPTS adds to the shared checklist."""
    _check_participant_member(actor, action.campaign)
    task = ActionTask(action=action, label=label)
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def action_task_set_done(*, actor: User, task: ActionTask, done: bool) -> ActionTask:
    _check_participant_member(actor, task.action.campaign)
    task.done = done
    task.done_by = actor if done else None
    task.done_at = timezone.now() if done else None
    task.save()
    return task


@transaction.atomic
def indicator_create(
    *,
    actor: User,
    campaign: Campaign,
    name: str,
    target: Decimal,
    unit: str = "",
    target_per_cpts: Decimal | None = None,
) -> Indicator:
    if not can_manage_campaign(scope_of(actor), campaign):
        raise PermissionDenied
    if Decimal(target) <= 0:
        raise ServiceError(_("La cible doit être positive."), code="bad_target")
    indicator = Indicator(
        campaign=campaign, name=name, unit=unit, target=target, target_per_cpts=target_per_cpts
    )
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_value_report(
    *, actor: User, indicator: Indicator, cpts: Cpts, date: dt.date, value: Decimal
) -> IndicatorValue:
    """Report the cumulative value of `indicator` for `cpts` at `date` (replaces a value of that day)."""
    campaign = indicator.campaign
    if cpts.pk not in _participant_ids(campaign):
        raise ServiceError(_("Cette CPTS ne participe pas à la campagne."), code="cpts_outside")
    if not can_report_for(scope_of(actor), campaign, cpts.pk):
        raise PermissionDenied
    if Decimal(value) < 0:
        raise ServiceError(_("La valeur ne peut pas être négative."), code="negative_value")
    row = IndicatorValue.objects.filter(indicator=indicator, cpts=cpts, date=date).first() or IndicatorValue(
        indicator=indicator, cpts=cpts, date=date
    )
    row.value = value
    row.reported_by = actor
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def campaign_add_material(*, actor: User, campaign: Campaign, document: Document) -> None:
    """Attach a shared document (resolved by the caller through `access_document`)."""
    scope = scope_of(actor)
    if not (can_manage_campaign(scope, campaign) or _participant_ids(campaign) & scope.managed_cpts_ids):
        raise PermissionDenied
    if document.federation_id != campaign.federation_id:
        raise ServiceError(_("Ce document n'est pas partagé dans la fédération."), code="document_outside")
    campaign.materials.add(document)
