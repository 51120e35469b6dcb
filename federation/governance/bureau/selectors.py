"""Reads of the bureau: seats in office on a day, the president."""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from federation.governance.bureau.models import (
    BureauMandate,
    BureauRole,
    PartnerAdmission,
    PartnerAdmissionAnswer,
)
from federation.models import Federation, User

ROLE_ORDER = [role.value for role in BureauRole]


def active_mandates(federation: Federation, day: date | None = None) -> QuerySet[BureauMandate]:
    """The seats held on `day` (today by default). A mandate ended early stops the day it ended."""
    day = day or timezone.localdate()
    return (
        BureauMandate.objects.filter(federation=federation, starts_on__lte=day, ends_on__gte=day)
        .filter(Q(ended_early_on__isnull=True) | Q(ended_early_on__gt=day))
        .select_related("user", "member__cpts")
    )


def bureau(federation: Federation, day: date | None = None) -> list[BureauMandate]:
    """The bureau in office on `day` (today by default), president first."""
    return sorted(active_mandates(federation, day), key=lambda m: (ROLE_ORDER.index(m.role), m.pk))


def president(federation: Federation, day: date | None = None) -> BureauMandate | None:
    return active_mandates(federation, day).filter(role=BureauRole.PRESIDENT).first()


def mandate_of(federation: Federation, mandate_id) -> BureauMandate | None:
    try:
        mandate_id = int(mandate_id)
    except (TypeError, ValueError):
        return None
    return BureauMandate.objects.filter(federation=federation, pk=mandate_id).select_related("user").first()


def mandate_ids_of(user: User, federation: Federation) -> set[int]:
    """Every bureau seat `user` holds or held in `federation` (they sign their own seat in)."""
    if not user.is_authenticated:
        return set()
    return set(BureauMandate.objects.filter(federation=federation, user=user).values_list("pk", flat=True))


def vacated_by_election(federation: Federation, *, user: User, role: str, day: date | None = None) -> list:
    """The seats `user` holds that electing them to `role` would leave vacant (the vice-president
    elected president leaves the vice-presidency)."""
    return [m for m in active_mandates(federation, day) if m.user_id == user.pk and m.role != role]


def partner_admissions(federation: Federation) -> QuerySet[PartnerAdmission]:
    return PartnerAdmission.objects.filter(federation=federation).prefetch_related(
        Prefetch("answers", queryset=PartnerAdmissionAnswer.objects.select_related("user", "mandate"))
    )


def partner_admission_of(federation: Federation, admission_id) -> PartnerAdmission | None:
    try:
        admission_id = int(admission_id)
    except (TypeError, ValueError):
        return None
    return partner_admissions(federation).filter(pk=admission_id).first()
