"""Writes of the contract year. Keyword-only, objects already resolved by `missions.access`, atomic,
`full_clean()` before save, refusals as `ServiceError` with French messages and stable codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from federation.errors import ServiceError
from federation.models import Cpts, CptsRole, Membership, User
from missions import autofill
from missions.catalogue import DEFAULT_INDICATORS
from missions.models import (
    CONTRACT_YEARS,
    AnnualReview,
    Avenant,
    Contract,
    ContractMission,
    Indicator,
    IndicatorValue,
    IndicatorValueChange,
    MissionYear,
    ReviewPack,
)
from missions.rules import get_rule_set
from missions.selectors import contracts_due_for_reminder


def _check_year(year: int, field: str = "year") -> int:
    if not isinstance(year, int) or not 1 <= year <= CONTRACT_YEARS:
        raise ServiceError(
            _("L'année du contrat va de 1 à %(max)d.") % {"max": CONTRACT_YEARS},
            code="invalid_year",
            field=field,
        )
    return year


def _check_rule_set(rule_set: str, field: str = "rule_set") -> None:
    if get_rule_set(rule_set) is None:
        raise ServiceError(
            _("Règles ACI inconnues : « %(id)s ».") % {"id": rule_set}, code="unknown_rule_set", field=field
        )


@transaction.atomic
def contract_create(
    *,
    actor: User,
    cpts: Cpts,
    signed_on: dt.date,
    rule_set: str,
    ars_name: str,
    cpam_name: str,
    population: int,
    missions: list[dict] | None = None,
) -> Contract:
    """Record the signed contract of `cpts` and the missions it chose (`[{"number", "start_year"}]`); mission
    1 gets the national indicators of its rule set and every mission the indicators the platform fills."""
    _check_rule_set(rule_set)
    if Contract.objects.filter(cpts=cpts, signed_on__gt=signed_on - dt.timedelta(days=5 * 366)).exists():
        raise ServiceError(
            _("Cette CPTS a déjà un contrat ACI en cours : enregistrez un avenant."), code="contract_exists"
        )
    contract = Contract(
        cpts=cpts,
        signed_on=signed_on,
        rule_set=rule_set,
        ars_name=ars_name,
        cpam_name=cpam_name,
        population=population,
        created_by=actor,
    )
    contract.full_clean()
    contract.save()
    for item in missions or []:
        mission_add(
            actor=actor,
            contract=contract,
            number=item["number"],
            start_year=item.get("start_year", 1),
            crisis_plan_year=item.get("crisis_plan_year"),
        )
    return contract


@transaction.atomic
def mission_add(
    *, actor: User, contract: Contract, number: int, start_year: int = 1, crisis_plan_year: int | None = None
) -> ContractMission:
    if contract.missions.filter(number=number).exists():
        raise ServiceError(
            _("Cette mission figure déjà au contrat."), code="duplicate_mission", field="number"
        )
    mission = ContractMission(
        contract=contract, number=number, start_year=start_year, crisis_plan_year=crisis_plan_year
    )
    mission.full_clean()
    mission.save()
    rule = get_rule_set(contract.rule_set).mission(number)
    for national in rule.national_indicators if rule else ():
        Indicator.objects.create(
            mission=mission,
            name=national.name,
            kind=Indicator.Kind.RESULT,
            national=True,
            unit=national.unit,
            direction=national.direction,
            target=Decimal(0) if national.direction == "down" else Decimal(1),
            data_source=national.data_source,
        )
    for spec in DEFAULT_INDICATORS.get(number, ()):
        Indicator.objects.create(mission=mission, **spec)
    return mission


@transaction.atomic
def avenant_add(
    *,
    actor: User,
    contract: Contract,
    signed_on: dt.date,
    effective_from: dt.date,
    summary: str,
    rule_set: str = "",
    population: int | None = None,
) -> Avenant:
    """An avenant, dated, saying what it changes; the rule set or population it sets apply from
    `effective_from`."""
    if rule_set:
        _check_rule_set(rule_set)
    if effective_from > contract.ends_on:
        raise ServiceError(
            _("Un avenant s'applique pendant la durée du contrat."),
            code="avenant_after_end",
            field="effective_from",
        )
    number = (contract.avenants.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    avenant = Avenant(
        contract=contract,
        number=number,
        signed_on=signed_on,
        effective_from=effective_from,
        summary=summary,
        rule_set=rule_set,
        population=population,
        created_by=actor,
    )
    avenant.full_clean()
    avenant.save()
    return avenant


@transaction.atomic
def indicator_create(
    *,
    actor: User,
    mission: ContractMission,
    name: str,
    target: Decimal,
    data_source: str,
    kind: str = Indicator.Kind.RESULT,
    unit: str = "",
    direction: str = Indicator.Direction.UP,
    weight: Decimal = Decimal(1),
    auto_source: str = "",
) -> Indicator:
    if auto_source and auto_source not in autofill.AUTO_SOURCES:
        raise ServiceError(_("Source automatique inconnue."), code="unknown_auto_source", field="auto_source")
    indicator = Indicator(
        mission=mission,
        name=name,
        kind=kind,
        unit=unit,
        target=target,
        direction=direction,
        weight=weight,
        data_source=data_source,
        auto_source=auto_source,
    )
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, actor: User, indicator: Indicator, **changes) -> Indicator:
    """Change what was negotiated about an indicator (target, weight, source, unit, direction, name)."""
    allowed = {"name", "target", "weight", "data_source", "unit", "direction", "kind"}
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(_("Champ non modifiable."), code="not_editable", field=sorted(unknown)[0])
    if indicator.national and "name" in changes and changes["name"] != indicator.name:
        raise ServiceError(
            _("L'intitulé d'un indicateur national est fixé par l'ACI."),
            code="national_indicator",
            field="name",
        )
    for field, value in changes.items():
        setattr(indicator, field, value)
    indicator.full_clean()
    indicator.save()
    return indicator


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ServiceError(_("Saisissez un nombre."), code="invalid_number", field=field) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ServiceError(_("Saisissez un nombre."), code="invalid_number", field=field)
    return number.quantize(Decimal("0.01"))


def _record(
    *,
    indicator: Indicator,
    year: int,
    value: Decimal,
    measured_on: dt.date,
    origin: str,
    source_detail: str,
    comment: str,
    actor: User | None,
) -> IndicatorValue | None:
    """Set the value of a year; history row only when something changed (so re-running is harmless)."""
    current = IndicatorValue.objects.select_for_update().filter(indicator=indicator, year=year).first()
    if (
        current is not None
        and current.value == value
        and current.origin == origin
        and current.source_detail == source_detail
    ):
        return current
    old = current.value if current is not None else None
    current = current or IndicatorValue(indicator=indicator, year=year)
    current.value, current.measured_on, current.origin = value, measured_on, origin
    current.source_detail, current.comment, current.entered_by = source_detail, comment, actor
    current.full_clean()
    current.save()
    IndicatorValueChange.objects.create(
        indicator=indicator,
        year=year,
        old_value=old,
        new_value=value,
        measured_on=measured_on,
        origin=origin,
        source_detail=source_detail,
        comment=comment,
        changed_by=actor,
    )
    return current


@transaction.atomic
def indicator_value_set(
    *,
    actor: User,
    indicator: Indicator,
    year: int,
    value,
    measured_on: dt.date | None = None,
    comment: str = "",
) -> IndicatorValue:
    """A value entered by hand: dated, attributed, kept in the history."""
    _check_year(year)
    number = _decimal(value, "value")
    if number < 0:
        raise ServiceError(
            _("Une valeur mesurée ne peut être négative."), code="negative_value", field="value"
        )
    measured_on = measured_on or timezone.localdate()
    if measured_on > timezone.localdate():
        raise ServiceError(
            _("La date de mesure ne peut être dans le futur."), code="future_date", field="measured_on"
        )
    return _record(
        indicator=indicator,
        year=year,
        value=number,
        measured_on=measured_on,
        origin=IndicatorValue.Origin.MANUAL,
        source_detail=indicator.data_source,
        comment=comment.strip(),
        actor=actor,
    )


@transaction.atomic
def indicators_autofill(*, contract: Contract, year: int, actor: User | None = None) -> int:
    """Fill every platform-computed indicator of the contract for `year`; returns how many changed.
    A value entered by hand after the last computation is left as is (the person knew better)."""
    _check_year(year)
    changed = 0
    today = timezone.localdate()
    for indicator in Indicator.objects.filter(mission__contract=contract).exclude(auto_source=""):
        current = IndicatorValue.objects.filter(indicator=indicator, year=year).first()
        if current is not None and current.origin == IndicatorValue.Origin.MANUAL:
            continue
        measure = autofill.measure(indicator.auto_source, contract, year)
        if measure is None:
            continue
        before = current.value if current else None
        _record(
            indicator=indicator,
            year=year,
            value=measure.value.quantize(Decimal("0.01")),
            measured_on=min(today, contract.year_end(year)),
            origin=IndicatorValue.Origin.AUTO,
            source_detail=measure.detail[:300],
            comment="",
            actor=actor,
        )
        changed += int(before != measure.value)
    return changed


@transaction.atomic
def mission_year_set(
    *,
    actor: User,
    mission: ContractMission,
    year: int,
    crisis_occurred: bool | None = None,
    agreed_achievement: Decimal | None | str = "keep",
) -> MissionYear:
    """Facts of a mission's year agreed at the review: a serious crisis occurred, an agreed rate."""
    _check_year(year)
    mission_year, _created = MissionYear.objects.get_or_create(mission=mission, year=year)
    if crisis_occurred is not None:
        if crisis_occurred and mission.number != 4:
            raise ServiceError(
                _("Seule la mission 4 (crises sanitaires graves) a un volet lié à la survenue d'une crise."),
                code="crisis_not_mission_4",
                field="crisis_occurred",
            )
        mission_year.crisis_occurred = crisis_occurred
    if agreed_achievement != "keep":
        mission_year.agreed_achievement = agreed_achievement
    mission_year.full_clean()
    mission_year.save()
    return mission_year


@transaction.atomic
def review_schedule(
    *, actor: User, contract: Contract, year: int, scheduled_on: dt.date, notes: str = ""
) -> AnnualReview:
    """Set the date of a year's review: within two months after the signature's anniversary."""
    _check_year(year)
    start, end = contract.review_window(year)
    if not start <= scheduled_on <= end:
        raise ServiceError(
            _(
                "La revue annuelle se tient dans les deux mois suivant l'anniversaire de la signature : entre le %(start)s et le %(end)s."
            )
            % {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")},
            code="review_outside_window",
            field="scheduled_on",
        )
    review, _created = AnnualReview.objects.get_or_create(contract=contract, year=year)
    review.scheduled_on = scheduled_on
    review.notes = notes or review.notes
    review.full_clean()
    review.save()
    return review


def review_reminders_send(*, today: dt.date | None = None) -> int:
    """E-mail the coordinators and bureau of each CPTS whose annual review window opens within
    MISSIONS_REVIEW_REMINDER_DAYS days (or is open). Idempotent: each (contract, year) is claimed once."""
    today = today or timezone.localdate()
    days = getattr(settings, "MISSIONS_REVIEW_REMINDER_DAYS", 30)
    sent = 0
    for contract, year in contracts_due_for_reminder(today, days):
        with transaction.atomic():
            review, _created = AnnualReview.objects.get_or_create(contract=contract, year=year)
            claimed = AnnualReview.objects.filter(pk=review.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=timezone.now()
            )
            if not claimed:
                continue
            recipients = list(
                Membership.objects.filter(
                    cpts=contract.cpts, role__in=[CptsRole.COORDINATOR, CptsRole.BUREAU, CptsRole.ADMIN]
                ).values_list("user__email", flat=True)
            )
            if not recipients:
                continue
            start, end = contract.review_window(year)
            subject = _("Revue annuelle du contrat ACI — %(cpts)s") % {"cpts": contract.cpts.name}
            body = _(
                "Bonjour,\n\nLa réunion annuelle de suivi du contrat ACI de %(cpts)s (année %(year)d) se tient "
                "dans les deux mois suivant l'anniversaire de la signature : entre le %(start)s et le %(end)s.\n"
                "Pensez à compléter les indicateurs et à préparer le dossier de revue sur Maillage.\n"
            ) % {
                "cpts": contract.cpts.name,
                "year": year,
                "start": start.strftime("%d/%m/%Y"),
                "end": end.strftime("%d/%m/%Y"),
            }
            messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients]
            transaction.on_commit(lambda m=tuple(messages): send_mass_mail(m, fail_silently=False))
            sent += len(messages)
    return sent


@transaction.atomic
def review_pack_request(*, actor: User, contract: Contract, year: int) -> ReviewPack:
    """Ask for the review pack of a year; it is built in the background (`missions.tasks`)."""
    _check_year(year)
    from missions import tasks  # noqa: PLC0415 — tasks import the pack builder, which imports services

    pack = ReviewPack.objects.create(contract=contract, year=year, requested_by=actor)
    transaction.on_commit(lambda: tasks.build_review_pack.delay(pack.pk))
    return pack
