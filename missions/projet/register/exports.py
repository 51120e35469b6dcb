"""The members' list with their statuses, as joined to the ACI request (seed 002: "La liste des membres de la
communauté professionnelle avec leurs statuts"): PDF (reportlab) and XLSX (openpyxl)."""

from __future__ import annotations

from io import BytesIO

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from federation.models import Cpts
from missions.projet.models import RegisterMember
from missions.projet.register.selectors import register_export_members

FORMULA_STARTS = ("=", "+", "-", "@")


def _date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def member_row(member: RegisterMember) -> list[str]:
    """One line of the list: name, kind, profession or structure type, identifier, category, status, dates."""
    if member.professional_id:
        pro = member.professional
        kind = _("Professionnel·le")
        detail = pro.profession.label
        identifier = f"{pro.get_id_type_display()} {pro.identifier}"
    else:
        structure = member.structure
        kind = _("Structure")
        detail = structure.get_kind_display()
        if member.representative:
            detail = f"{detail} — {_('représentée par')} {member.representative}"
        identifier = (
            f"FINESS {structure.finess}"
            if structure.finess
            else (f"SIRET {structure.siret}" if structure.siret else "")
        )
    return [
        member.name,
        str(kind),
        detail,
        identifier,
        member.category.label,
        member.get_status_display(),
        _date(member.joined_on),
        _date(member.left_on),
    ]


def header() -> list[str]:
    return [
        _("Nom"),
        _("Nature"),
        _("Profession / type"),
        _("Identifiant"),
        _("Catégorie"),
        _("Statut"),
        _("Adhésion"),
        _("Fin"),
    ]


def register_xlsx(cpts: Cpts) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Membres")[:31]
    sheet.append([_("Liste des membres de %(cpts)s") % {"cpts": cpts.name}])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([_("Établie le %(date)s") % {"date": _date(timezone.localdate())}])
    sheet.append([])
    sheet.append(header())
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in header()]
    for member in register_export_members(cpts):
        row = member_row(member)
        sheet.append(row)
        # Text stays text: a name starting with "=" must not become a formula in the spreadsheet.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value[:1] in FORMULA_STARTS:
                cell.data_type = "s"
        widths = [max(w, len(v)) for w, v in zip(widths, row, strict=True)]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, 60)
    sheet.freeze_panes = "A5"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _esc(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def register_pdf(cpts: Cpts) -> bytes:
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=_("Liste des membres — %(cpts)s") % {"cpts": cpts.name},
    )
    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    members = list(register_export_members(cpts))
    story = [
        Paragraph(_esc(_("Liste des membres de %(cpts)s") % {"cpts": cpts.name}), styles["Title"]),
        Paragraph(
            _esc(
                _(
                    "Établie le %(date)s — %(active)d membre(s) actif(s), %(total)d ligne(s) avec leurs statuts."
                )
                % {
                    "date": _date(timezone.localdate()),
                    "active": sum(1 for m in members if m.is_active),
                    "total": len(members),
                }
            ),
            styles["Normal"],
        ),
        Spacer(1, 0.4 * cm),
    ]
    rows = [[Paragraph(f"<b>{_esc(h)}</b>", cell) for h in header()]]
    rows += [[Paragraph(_esc(v), cell) for v in member_row(m)] for m in members]
    if not members:
        rows.append([Paragraph(_esc(_("Aucun membre inscrit au registre.")), cell)] + [""] * 7)
    table = Table(
        rows, repeatRows=1, colWidths=[5 * cm, 2.4 * cm, 5 * cm, 3.4 * cm, 3 * cm, 2.6 * cm, 2 * cm, 2 * cm]
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    doc.build(story)
    return out.getvalue()


def register_response(cpts: Cpts, fmt: str) -> HttpResponse:
    """The export as a download (HTML page and API both answer with it)."""
    if fmt == "pdf":
        body, content_type = register_pdf(cpts), "application/pdf"
    elif fmt == "xlsx":
        body = register_xlsx(cpts)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="membres-{cpts.slug}.{fmt}"'
    return response
