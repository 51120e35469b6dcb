"""The monthly CSV of hours on duty (HTML pages and API serve the same file)."""

import csv
import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext as _

from federation.models import SecurityEvent
from federation.security import client_ip
from federation.services import security_event_record
from shared_actions.rosters import selectors


def _csv_cell(value) -> str:
    """Neutralise spreadsheet formulas (CSV injection)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def hours_csv_response(request, *, month: dt.date, roster=None, cpts=None) -> HttpResponse:
    """Monthly hours per professional and per CPTS, for compensation (semicolon CSV, UTF-8 BOM).
    The export is written to the security audit trail."""
    rows = selectors.hours_by_person(month=month, roster=roster, cpts=cpts)
    security_event_record(
        kind=SecurityEvent.Kind.EXPORT,
        actor=request.user,
        ip_address=client_ip(request),
        detail={
            "export": "snp_hours_csv",
            "month": f"{month:%Y-%m}",
            "roster": roster and roster.pk,
            "cpts": cpts and cpts.slug,
        },
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="heures-snp-{month:%Y-%m}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Mois"), _("CPTS"), _("Professionnel"), _("E-mail"), _("Créneaux"), _("Heures")])
    per_cpts: dict[str, list] = {}
    for row in rows:
        writer.writerow(
            [
                f"{month:%Y-%m}",
                _csv_cell(row.cpts),
                _csv_cell(row.person),
                _csv_cell(row.email),
                row.shifts,
                f"{row.hours:.2f}".replace(".", ","),
            ]
        )
        total = per_cpts.setdefault(row.cpts, [0, 0.0])
        total[0] += row.shifts
        total[1] += row.hours
    for name, (count, hours) in sorted(per_cpts.items()):
        writer.writerow(
            [f"{month:%Y-%m}", _csv_cell(name), _("TOTAL CPTS"), "", count, f"{hours:.2f}".replace(".", ",")]
        )
    return response
