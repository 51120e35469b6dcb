"""A version of the projet de santé as a PDF, in the order the ARS reads it (seed 001: "Le projet de santé se
compose de trois parties distinctes : Le cadre de la CPTS ; Les projets mis en place par la CPTS ; Les membres
de la CPTS"), the fiches in the "Modèle de fiche projet" order, and the members' online acknowledgements where
the model has a signature column."""

from __future__ import annotations

from io import BytesIO

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from missions.projet.fiches.selectors import counted_fiches
from missions.projet.health_project.selectors import members_for_signature, territory_diagnosis
from missions.projet.models import FicheAction, Mission, ProjectVersion


def _esc(text) -> str:
    return (
        str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )


def fiche_rows(fiche: FicheAction) -> list[tuple[str, str]]:
    """Seed 001's "Modèle de fiche projet", in its order."""
    calendar = fiche.calendar
    if fiche.starts_on or fiche.ends_on:
        span = " → ".join(date_format(d, "SHORT_DATE_FORMAT") for d in (fiche.starts_on, fiche.ends_on) if d)
        calendar = f"{span}\n{calendar}".strip()
    return [
        (_("Mission"), fiche.get_mission_display()),
        (_("Problématique"), fiche.problem),
        (_("Objectif général et objectifs spécifiques"), fiche.objectives),
        (_("Actions à mettre en œuvre"), fiche.actions),
        (_("Acteurs impliqués et partenaires"), fiche.actors),
        (_("Coordinateur de l'action"), fiche.action_lead),
        (_("Calendrier"), calendar),
        (_("Critères d'évaluation"), fiche.evaluation_criteria),
        (_("Moyens nécessaires"), fiche.resources),
        (_("Statut"), fiche.get_status_display()),
    ]


def _grid(rows, widths, header=False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f4f7")))
    table.setStyle(TableStyle(style))
    return table


def version_pdf(version: ProjectVersion) -> bytes:
    project = version.project
    cpts = project.cpts
    styles = getSampleStyleSheet()
    body, h1, h2, h3 = styles["BodyText"], styles["Heading1"], styles["Heading2"], styles["Heading3"]
    cell = body.clone("cell", fontSize=9, leading=11)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=project.title,
    )
    dated = date_format(version.dated, "DATE_FORMAT") if version.dated else _("brouillon non daté")
    story = [
        Paragraph(_esc(project.title), styles["Title"]),
        Paragraph(
            _esc(
                _("%(kind)s n° %(n)d — %(date)s")
                % {"kind": version.get_kind_display(), "n": version.number, "date": dated}
            ),
            body,
        ),
    ]
    if version.changes:
        story.append(Paragraph(_esc(_("Ce qui change : %(changes)s") % {"changes": version.changes}), body))

    # 1. Le cadre de la CPTS: territory and population (figures frozen at publication), organisation.
    figures = (version.snapshot or {}).get("territory") or territory_diagnosis(cpts).as_dict()
    story += [
        Paragraph(_esc(_("1. Le cadre de la CPTS")), h1),
        Paragraph(_esc(_("1.1 Le territoire et la population couverte")), h2),
    ]
    story.append(
        Paragraph(
            _esc(
                _(
                    "%(communes)d commune(s), %(population)s habitants (taille ACI %(tier)d) ; %(practising)d professionnel·le·s de santé exercent sur le territoire."
                )
                % {
                    "communes": figures["communes"],
                    "population": f"{figures['population']:,}".replace(",", " "),
                    "tier": figures["size_tier"],
                    "practising": figures["practising"],
                }
            ),
            body,
        )
    )
    if figures["professions"]:
        rows = [
            [
                Paragraph(f"<b>{_esc(h)}</b>", cell)
                for h in (_("Profession"), _("Exerçant sur le territoire"), _("Pour 10 000 habitants"))
            ]
        ]
        for p in figures["professions"]:
            density = "" if p["per_10000"] is None else f"{p['per_10000']:.1f}".replace(".", ",")
            rows.append([Paragraph(_esc(p["label"]), cell), str(p["practising"]), density])
        story += [Spacer(1, 0.2 * cm), _grid(rows, [8 * cm, 4 * cm, 4 * cm], header=True)]
    story += [Paragraph(_esc(_("Diagnostic territorial")), h3), Paragraph(_esc(version.diagnosis), body)]
    story += [
        Paragraph(_esc(_("1.2 Organisation et gouvernance")), h2),
        Paragraph(_esc(version.coordination), body),
    ]

    # 2. Les projets mis en place par la CPTS.
    story += [Paragraph(_esc(_("2. Les projets mis en place par la CPTS")), h1)]
    story += [Paragraph(_esc(_("2.1 Besoins identifiés")), h2), Paragraph(_esc(version.needs), body)]
    story += [Paragraph(_esc(_("2.2 Priorités")), h2), Paragraph(_esc(version.priorities), body)]
    story += [Paragraph(_esc(_("2.3 Missions retenues")), h2)]
    for m in version.missions:
        story.append(Paragraph("– " + _esc(Mission(m).label), body))
    story += [Paragraph(_esc(_("2.4 Fiches action")), h2)]
    fiche_ids = [f["id"] for f in (version.snapshot or {}).get("fiches", [])]
    fiches = counted_fiches(cpts).order_by("mission", "title", "id")
    if version.is_published:
        fiches = fiches.filter(pk__in=fiche_ids)
    for fiche in fiches:
        rows = [
            [Paragraph(f"<b>{_esc(label)}</b>", cell), Paragraph(_esc(value), cell)]
            for label, value in fiche_rows(fiche)
        ]
        story.append(KeepTogether([Paragraph(_esc(fiche.title), h3), _grid(rows, [5 * cm, 12 * cm])]))
        story.append(Spacer(1, 0.3 * cm))
    story += [Paragraph(_esc(_("2.5 Acteurs et partenaires")), h2), Paragraph(_esc(version.actors), body)]
    story += [Paragraph(_esc(_("2.6 Modalités d'évaluation")), h2), Paragraph(_esc(version.evaluation), body)]

    # 3. Les membres de la CPTS, with their online acknowledgement in place of a signature.
    story += [Paragraph(_esc(_("3. Les membres de la CPTS")), h1)]
    rows = [
        [
            Paragraph(f"<b>{_esc(h)}</b>", cell)
            for h in (
                _("Nom / structure"),
                _("Profession / représentant·e"),
                _("Prise de connaissance en ligne"),
            )
        ]
    ]
    for member, ack in members_for_signature(cpts, version):
        detail = member.professional.profession.label if member.professional_id else member.representative
        when = date_format(ack.at, "SHORT_DATETIME_FORMAT") if ack else ""
        rows.append([Paragraph(_esc(member.name), cell), Paragraph(_esc(detail), cell), when])
    story.append(_grid(rows, [6 * cm, 6 * cm, 5 * cm], header=True))
    doc.build(story)
    return out.getvalue()
