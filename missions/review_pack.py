"""The annual review pack of a contract year: a PDF for the review meeting (reportlab platypus, like the
governance minutes), and the same figures as a spreadsheet (XLSX, openpyxl) and CSV in the order a CPAM
reviewer reads them: contract, funding by line, indicators (target, value, source, achievement), what
changed since last year. Built in the background (`missions.tasks.build_review_pack`), progress saved as
it goes so the page can show it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from missions import selectors, services
from missions.funding import euros, money, percent
from missions.models import ReviewPack


def _esc(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class PackData:
    contract: object
    year: int
    funding: selectors.YearFunding
    previous: selectors.YearFunding | None
    indicators: list[selectors.IndicatorRow]
    previous_values: dict[int, object]
    avenants: list


def collect(contract, year: int) -> PackData:
    contract = selectors.contract_detail(contract)
    funding = selectors.contract_year_funding(contract, year)
    previous = (
        selectors.contract_year_funding(contract, year - 1, members=funding.members) if year > 1 else None
    )
    previous_values = {}
    if year > 1:
        for row in selectors.indicator_rows(contract, year - 1):
            previous_values[row.indicator.pk] = row.value.value if row.value else None
    start, end = contract.year_start(year), contract.year_end(year)
    avenants = [a for a in contract.avenants.all() if start <= a.effective_from <= end]
    return PackData(
        contract, year, funding, previous, selectors.indicator_rows(contract, year), previous_values, avenants
    )


def funding_rows(data: PackData) -> list[list]:
    rows = []
    for line in data.funding.funding.lines:
        rows.append(
            [line.label, money(line.fixed), money(line.variable), money(line.increase), money(line.total)]
        )
    return rows


def indicator_table(data: PackData) -> list[list]:
    rows = []
    for row in data.indicators:
        indicator = row.indicator
        rows.append(
            [
                indicator.mission.number,
                indicator.name,
                indicator.get_kind_display(),
                indicator.target,
                row.value.value if row.value else None,
                indicator.unit,
                percent(row.achievement) if row.achievement is not None else "",
                (row.value.source_detail if row.value else indicator.data_source),
                row.value.get_origin_display() if row.value else "",
                row.value.measured_on.strftime("%d/%m/%Y") if row.value else "",
                data.previous_values.get(indicator.pk, ""),
            ]
        )
    return rows


def changes(data: PackData) -> list[str]:
    """What changed since last year, in French sentences."""
    lines = []
    for avenant in data.avenants:
        lines.append(
            _("Avenant n° %(number)d applicable le %(date)s : %(summary)s")
            % {
                "number": avenant.number,
                "date": avenant.effective_from.strftime("%d/%m/%Y"),
                "summary": avenant.summary,
            }
        )
    if data.previous is not None:
        before, now = data.previous.funding.total, data.funding.funding.total
        lines.append(
            _("Financement : %(before)s l'année précédente, %(now)s cette année (écart %(delta)s).")
            % {"before": euros(before), "now": euros(now), "delta": euros(now - before)}
        )
        if data.previous.rule_set.id != data.funding.rule_set.id:
            lines.append(
                _("Règles ACI : « %(before)s » → « %(now)s ».")
                % {"before": data.previous.rule_set.label, "now": data.funding.rule_set.label}
            )
        started = [m.get_number_display() for m in data.contract.missions.all() if m.start_year == data.year]
        if started:
            lines.append(_("Missions démarrées cette année : %(list)s.") % {"list": ", ".join(started)})
    for row in data.indicators:
        previous = data.previous_values.get(row.indicator.pk)
        if row.value and previous is not None and previous != row.value.value:
            lines.append(
                _("%(name)s : %(before)s → %(now)s")
                % {"name": row.indicator.name, "before": previous, "now": row.value.value}
            )
    return lines or [_("Première année du contrat : pas de comparaison.")]


def _table(rows, widths):
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def pdf_story(data: PackData) -> list:
    styles = getSampleStyleSheet()
    h1, h2, normal = styles["Title"], styles["Heading2"], styles["BodyText"]
    small = normal.clone("small", fontSize=8, leading=10)
    contract, funding = data.contract, data.funding
    story = [
        Paragraph(_esc(_("Revue annuelle du contrat ACI — %(cpts)s") % {"cpts": contract.cpts.name}), h1),
        Paragraph(
            _esc(
                _(
                    "Année %(year)d du contrat (%(start)s – %(end)s), signé le %(signed)s par l'ARS (%(ars)s), la CPAM (%(cpam)s) et la CPTS."
                )
                % {
                    "year": data.year,
                    "start": contract.year_start(data.year).strftime("%d/%m/%Y"),
                    "end": contract.year_end(data.year).strftime("%d/%m/%Y"),
                    "signed": contract.signed_on.strftime("%d/%m/%Y"),
                    "ars": contract.ars_name,
                    "cpam": contract.cpam_name,
                }
            ),
            normal,
        ),
        Paragraph(
            _esc(
                _(
                    "Règles : %(rules)s · population %(population)s habitants, taille %(tier)d · %(members)d membres."
                )
                % {
                    "rules": funding.rule_set.label,
                    "population": f"{funding.population:,}".replace(",", " "),
                    "tier": funding.funding.tier,
                    "members": funding.members,
                }
            ),
            normal,
        ),
        Paragraph(_esc(_("Missions")), h2),
    ]
    mission_rows = [[_("Mission"), _("Démarrage"), _("Taux d'atteinte"), _("Calcul")]]
    for mission in contract.missions.all():
        achievement = funding.achievements.get(mission.number)
        mission_rows.append(
            [
                Paragraph(_esc(mission.get_number_display()), small),
                _("année %(year)d") % {"year": mission.start_year},
                percent(achievement.rate) if achievement else "—",
                Paragraph(_esc(achievement.explanation if achievement else _("non démarrée")), small),
            ]
        )
    story.append(_table(mission_rows, [5 * cm, 2.2 * cm, 2.3 * cm, 7.5 * cm]))
    story.append(Paragraph(_esc(_("Financement par ligne")), h2))
    rows = [[_("Ligne"), _("Fixe"), _("Variable"), _("Majoration"), _("Total")]]
    for label, fixed, variable, increase, total in funding_rows(data):
        rows.append(
            [Paragraph(_esc(label), small), euros(fixed), euros(variable), euros(increase), euros(total)]
        )
    rows.append([_("Total"), "", "", "", euros(funding.funding.total)])
    story.append(_table(rows, [7 * cm, 2.5 * cm, 2.5 * cm, 2.5 * cm, 2.5 * cm]))
    for line in funding.funding.lines:
        for explanation in line.explanations:
            story.append(Paragraph(_esc(explanation), small))
    for note in funding.funding.notes:
        story.append(Paragraph(_esc(note), small))
    story.append(Paragraph(_esc(_("Indicateurs")), h2))
    rows = [[_("M."), _("Indicateur"), _("Type"), _("Cible"), _("Valeur"), _("Atteinte"), _("Source")]]
    for row in indicator_table(data):
        rows.append(
            [
                row[0],
                Paragraph(_esc(row[1]), small),
                Paragraph(_esc(row[2]), small),
                f"{row[3]} {row[5]}".strip(),
                "—" if row[4] is None else f"{row[4]} {row[5]}".strip(),
                row[6] or "—",
                Paragraph(_esc(f"{row[7]} ({row[8]}, {row[9]})" if row[8] else row[7]), small),
            ]
        )
    story.append(_table(rows, [0.8 * cm, 5 * cm, 2 * cm, 1.8 * cm, 1.8 * cm, 1.6 * cm, 4 * cm]))
    story.append(Paragraph(_esc(_("Ce qui a changé depuis l'an dernier")), h2))
    for line in changes(data):
        story.append(Paragraph(_esc(line), normal))
    story.append(Spacer(1, 0.5 * cm))
    story.append(
        Paragraph(
            _esc(
                _("Dossier généré par Maillage le %(date)s.")
                % {"date": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
            ),
            small,
        )
    )
    return story


def story_text(story: list) -> str:
    """The plain text a story prints (paragraphs and table cells), for checks."""
    parts = []
    for flowable in story:
        if isinstance(flowable, Paragraph):
            parts.append(flowable.getPlainText())
        elif isinstance(flowable, Table):
            for row in flowable._cellvalues:
                for cell in row:
                    parts.append(cell.getPlainText() if isinstance(cell, Paragraph) else str(cell))
    return "\n".join(parts)


def pdf_bytes(data: PackData) -> bytes:
    contract = data.contract
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Revue annuelle ACI — {contract.cpts.name} — année {data.year}",
        author=contract.cpts.name,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        pageCompression=0,
        invariant=1,
    )
    doc.build(pdf_story(data))
    return buffer.getvalue()


INDICATOR_HEADERS = (
    "Mission",
    "Indicateur",
    "Type",
    "Cible",
    "Valeur",
    "Unité",
    "Taux d'atteinte",
    "Source",
    "Origine",
    "Mesurée le",
    "Valeur année précédente",
)
FUNDING_HEADERS = ("Ligne", "Fixe (€)", "Variable (€)", "Majoration (€)", "Total (€)")


def xlsx_bytes(data: PackData) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Financement"
    sheet.append([f"{data.contract.cpts.name} — revue annuelle ACI, année {data.year}"])
    sheet.append(
        [
            f"Règles : {data.funding.rule_set.label}",
            f"Taille {data.funding.funding.tier}",
            f"{data.funding.members} membres",
        ]
    )
    sheet.append([])
    sheet.append(list(FUNDING_HEADERS))
    for row in funding_rows(data):
        sheet.append([row[0], *(float(v) for v in row[1:])])
    sheet.append(["Total", None, None, None, float(data.funding.funding.total)])
    sheet.append([])
    for line in data.funding.funding.lines:
        for explanation in line.explanations:
            sheet.append([explanation])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 60
    indicators = workbook.create_sheet("Indicateurs")
    indicators.append(list(INDICATOR_HEADERS))
    for row in indicator_table(data):
        indicators.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
    for cell in indicators[1]:
        cell.font = Font(bold=True)
    indicators.column_dimensions["B"].width = 60
    indicators.column_dimensions["H"].width = 50
    evolution = workbook.create_sheet("Évolutions")
    for line in changes(data):
        evolution.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(data: PackData) -> bytes:
    """One CSV (semicolon-separated, UTF-8 with BOM: what French spreadsheets open directly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["Section", *FUNDING_HEADERS])
    for row in funding_rows(data):
        writer.writerow(["Financement", row[0], *(str(v).replace(".", ",") for v in row[1:])])
    writer.writerow(["Financement", "Total", "", "", "", str(data.funding.funding.total).replace(".", ",")])
    writer.writerow([])
    writer.writerow(["Section", *INDICATOR_HEADERS])
    for row in indicator_table(data):
        writer.writerow(["Indicateurs", *("" if v is None else str(v) for v in row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _progress(pack: ReviewPack, value: int, **fields) -> None:
    ReviewPack.objects.filter(pk=pack.pk).update(progress=value, **fields)


def build(pack_id: int) -> str:
    """Build the pack's three files; idempotent (a finished pack is not rebuilt)."""
    pack = ReviewPack.objects.select_related("contract__cpts").filter(pk=pack_id).first()
    if pack is None or pack.status == ReviewPack.Status.DONE:
        return "skipped"
    _progress(pack, 5, status=ReviewPack.Status.RUNNING)
    try:
        services.indicators_autofill(contract=pack.contract, year=pack.year, actor=pack.requested_by)
        _progress(pack, 25)
        data = collect(pack.contract, pack.year)
        _progress(pack, 40)
        stem = f"revue-aci-{pack.contract.cpts.slug}-annee-{pack.year}"
        pdf = pdf_bytes(data)
        _progress(pack, 65)
        xlsx = xlsx_bytes(data)
        _progress(pack, 85)
        text = csv_bytes(data)
        with transaction.atomic():
            pack.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
            pack.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
            pack.csv.save(f"{stem}.csv", ContentFile(text), save=False)
            pack.status, pack.progress, pack.finished_at = ReviewPack.Status.DONE, 100, timezone.now()
            pack.save()
    except Exception as exc:  # the page must say it failed rather than spin for ever
        _progress(pack, 100, status=ReviewPack.Status.FAILED, error=str(exc)[:300])
        raise
    return "done"
