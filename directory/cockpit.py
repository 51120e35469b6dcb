"""The directory's panel of the federation cockpit (issue 18): open error reports on the entries of the
member CPTS. Registered from DirectoryConfig.ready(); two queries whatever the number of CPTS or reports."""

from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.models import ProfessionalCpts
from directory.selectors import federation_open_error_reports
from federation.cockpit import CptsFacts, Panel, PanelData, PanelItem, register_cpts_facts, register_panel

SHOWN = 8
# A report left open this long is shown as needing attention.
LATE_AFTER = timedelta(days=14)


def error_reports_panel(federation, user) -> PanelData:
    reports = federation_open_error_reports(federation)
    count = reports.count()
    now = timezone.now()
    items = []
    for report in reports[:SHOWN]:
        entry = report.professional or report.structure
        route = "directory-professional" if report.professional_id else "directory-structure"
        items.append(
            PanelItem(
                label=str(entry),
                url=reverse(route, args=[entry.pk]),
                detail=_("Signalé le %(date)s : %(message)s")
                % {
                    "date": timezone.localtime(report.created_at).strftime("%d/%m/%Y"),
                    "message": report.message[:80],
                },
                level="warning" if now - report.created_at > LATE_AFTER else "info",
            )
        )
    return PanelData(
        items=items,
        count=count,
        empty=_(
            "Aucun signalement d'erreur ouvert : les coordinateurs de chaque CPTS traitent ceux de leurs "
            "fiches depuis l'annuaire (« Signalements d'erreurs à traiter »)."
        ),
    )


def members_by_profession(cpts_ids: list[int]) -> dict[int, list[tuple[str, int]]]:
    """The cockpit's column of each member CPTS's professionals by profession, most numerous first: one
    query for every CPTS."""
    rows = (
        ProfessionalCpts.objects.filter(cpts_id__in=cpts_ids)
        .values("cpts_id", "professional__profession__label")
        .annotate(n=Count("professional_id", distinct=True))
        .order_by("cpts_id", "-n", "professional__profession__label")
    )
    facts: dict[int, list[tuple[str, int]]] = {}
    for row in rows:
        facts.setdefault(row["cpts_id"], []).append((row["professional__profession__label"], row["n"]))
    return facts


def register() -> None:
    register_cpts_facts(
        CptsFacts(
            key="directory.professions",
            title=gettext_lazy("Professionnels par profession"),
            build=members_by_profession,
            order=10,
        )
    )
    register_panel(
        Panel(
            key="directory.error_reports",
            title=gettext_lazy("Annuaire : signalements d'erreurs ouverts"),
            scope=Panel.FEDERATION,
            order=70,
            build=error_reports_panel,
        )
    )
