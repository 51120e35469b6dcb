"""The directory's panel of the federation cockpit (issue 18): open error reports on the entries of the
member CPTS. Registered from DirectoryConfig.ready(); two queries whatever the number of CPTS or reports."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.selectors import federation_open_error_reports
from federation.cockpit import Panel, PanelData, PanelItem, register_panel

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


def register() -> None:
    register_panel(
        Panel(
            key="directory.error_reports",
            title=gettext_lazy("Annuaire : signalements d'erreurs ouverts"),
            scope=Panel.FEDERATION,
            order=70,
            build=error_reports_panel,
        )
    )
