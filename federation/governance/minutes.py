"""The procès-verbal of a meeting as a PDF (reportlab platypus): attendance, quorum, each decision with
both colleges' tallies, divergence flags and partners' opinions, and the signature blocks of the
president and one other bureau member (model statutes, art. 8.3)."""

from io import BytesIO

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from federation.governance import selectors
from federation.governance.models import AttendanceStatus, Meeting, Poll

OUTCOME_LABELS = {
    "adopted": gettext_lazy("Adoptée"),
    "rejected": gettext_lazy("Rejetée"),
    "no_quorum": gettext_lazy("Quorum non atteint : pas de délibération"),
    "no_votes": gettext_lazy("Aucun vote"),
}


def outcome_label(value: str) -> str:
    return str(OUTCOME_LABELS.get(value, value))


def result_label(poll: Poll) -> str:
    """The binding outcome in French words: an election names who is elected, or says that a second
    round is needed (never "rejetée" for a first round without a winner)."""
    r = poll.result or {}
    if not r:
        return ""
    if poll.kind == Poll.Kind.ELECTION and r.get("outcome") != "no_quorum":
        if r.get("elected"):
            return _("Élu·e : %(name)s") % {"name": r.get("elected_label", "")}
        if r.get("needs_second_round"):
            return _("Second tour nécessaire (aucune majorité absolue)")
        if r.get("tie"):
            return _("Égalité : personne n'est élu·e")
        return _("Personne n'est élu·e")
    return outcome_label(r.get("outcome", ""))


def tally_text(tally: dict) -> str:
    return _("pour %(yes)d, contre %(no)d, abstention %(abstain)d") % {
        "yes": tally.get("yes", 0),
        "no": tally.get("no", 0),
        "abstain": tally.get("abstain", 0),
    }


def _esc(text) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def decision_lines(poll: Poll, *, with_tallies: bool = True) -> list[str]:
    """The lines recording one decision (the PDF prints them all; the pages show the motion tallies and
    the divergence flag in a table above, so they ask `with_tallies=False`)."""
    r = poll.result or {}
    lines = []
    if not r:
        return [_("Vote non clos.")]
    q = r.get("quorum", {})
    if poll.kind == Poll.Kind.MOTION and not with_tallies:
        if r.get("casting_vote_used"):
            lines.append(_("Égalité des voix : la voix du/de la président·e est prépondérante."))
    elif poll.kind == Poll.Kind.MOTION:
        lines.append(
            _("Collège des CPTS (voix délibérative) : %(tally)s — %(outcome)s")
            % {"tally": tally_text(r["tally"]), "outcome": outcome_label(r["outcome"])}
        )
        if poll.body != "bureau":
            lines.append(
                _("Collège des partenaires (voix consultative) : %(tally)s — avis : %(outcome)s")
                % {"tally": tally_text(r["advisory_tally"]), "outcome": outcome_label(r["advisory_outcome"])}
            )
        if r.get("casting_vote_used"):
            lines.append(_("Égalité des voix : la voix du/de la président·e est prépondérante."))
    else:
        labels = r.get("labels", {})
        counts = ", ".join(f"{labels.get(k, k)} : {v}" for k, v in r.get("counts", {}).items())
        lines.append(
            _("Collège des CPTS, tour %(round)d : %(counts)s ; blancs : %(blank)d")
            % {"round": r.get("round", 1), "counts": counts, "blank": r.get("blank", 0)}
        )
        if poll.body != "bureau":
            advisory = ", ".join(f"{labels.get(k, k)} : {v}" for k, v in r.get("advisory_counts", {}).items())
            lines.append(
                _("Collège des partenaires (consultatif) : %(counts)s ; blancs : %(blank)d")
                % {"counts": advisory, "blank": r.get("advisory_blank", 0)}
            )
        if r.get("needs_second_round"):
            lines.append(_("Aucune majorité absolue : second tour nécessaire, à la majorité relative."))
        else:
            lines.append(result_label(poll))
    lines.append(
        _("Quorum : %(count)d présent(s) ou représenté(s) sur %(members)d (requis : %(threshold)d) — %(met)s")
        % {
            "count": q.get("present_or_represented", 0),
            "members": q.get("members", 0),
            "threshold": q.get("threshold", 0),
            "met": _("atteint") if q.get("met") else _("non atteint"),
        }
    )
    if q.get("required") is False and not q.get("met"):
        lines.append(
            _(
                "Seconde séance sans quorum : délibération à la majorité relative des membres présents ou "
                "représentés (statuts, art. 13.2)."
            )
        )
    if r.get("divergence") and with_tallies:
        lines.append(_("Divergence entre les collèges : l'avis des partenaires diffère de la décision."))
    if poll.secret:
        lines.append(_("Vote à bulletin secret."))
    return lines


def minutes_story(meeting: Meeting) -> list:
    styles = getSampleStyleSheet()
    h1, h2, normal = styles["Title"], styles["Heading2"], styles["BodyText"]
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    federation = meeting.federation
    story = [
        Paragraph(_esc(_("Procès-verbal — %(title)s") % {"title": meeting.title}), h1),
        Paragraph(_esc(f"{federation.name} — {meeting.get_body_display()}"), normal),
        Paragraph(
            _esc(
                _("Séance du %(date)s, %(place)s")
                % {
                    "date": date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT"),
                    "place": meeting.location or _("lieu non précisé"),
                }
            ),
            normal,
        ),
    ]
    if meeting.is_second_meeting:
        story.append(
            Paragraph(
                _esc(_("Seconde séance, le quorum n'ayant pas été atteint lors de la première.")), normal
            )
        )
    story.append(Spacer(1, 0.4 * cm))
    story.append(Paragraph(_esc(_("Émargement")), h2))
    labels = dict(AttendanceStatus.choices)
    rows = [[_("Membre"), _("Collège"), _("Présence"), _("Pouvoir à")]]
    for row in selectors.attendance_sheet(meeting):
        college = {"cpts": _("CPTS"), "partners": _("Partenaires"), "bureau": _("Bureau")}[row["college"]]
        rows.append(
            [
                Paragraph(_esc(row["label"]), small),
                college,
                str(labels[row["status"]]),
                Paragraph(_esc(row["proxy_holder"]), small),
            ]
        )
    table = Table(rows, colWidths=[7 * cm, 2.6 * cm, 3.6 * cm, 4 * cm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    q = selectors.meeting_quorum(meeting)
    story.append(Spacer(1, 0.3 * cm))
    story.append(
        Paragraph(
            _esc(
                _(
                    "Quorum : %(count)d membre(s) présent(s) ou représenté(s) sur %(members)d, seuil %(threshold)d — %(met)s."
                )
                % {
                    "count": q.present_or_represented,
                    "members": q.members,
                    "threshold": q.threshold,
                    "met": _("atteint") if q.met else _("non atteint"),
                }
            ),
            normal,
        )
    )
    story.append(Paragraph(_esc(_("Ordre du jour")), h2))
    for item in meeting.agenda_items.order_by("position"):
        story.append(Paragraph(_esc(f"{item.position}. {item.title}"), normal))
    story.append(Paragraph(_esc(_("Délibérations")), h2))
    polls = meeting.polls.exclude(status=Poll.Status.DRAFT).order_by("created_at", "id")
    if not polls:
        story.append(Paragraph(_esc(_("Aucune question n'a été mise aux voix.")), normal))
    for number, poll in enumerate(polls, start=1):
        block = [Paragraph(_esc(f"{_('Résolution')} {number} — {poll.title}"), styles["Heading3"])]
        if poll.description:
            block.append(Paragraph(_esc(poll.description), normal))
        for line in decision_lines(poll):
            style = normal
            if line.startswith(_("Divergence")):
                line = f"<b>{_esc(line)}</b>"
                block.append(Paragraph(line, style))
                continue
            block.append(Paragraph(_esc(line), style))
        for opinion in selectors.partner_opinions(poll):
            block.append(
                Paragraph(
                    _esc(
                        _("Avis de %(partner)s : %(text)s")
                        % {"partner": opinion.partner.name, "text": opinion.text}
                    ),
                    small,
                )
            )
        story.append(KeepTogether(block))
    story.append(Spacer(1, 1.2 * cm))
    signatures = Table(
        [
            [_("Le/la président·e"), _("Un membre du bureau")],
            ["\n\n\n" + _("Signature"), "\n\n\n" + _("Signature")],
        ],
        colWidths=[8.5 * cm, 8.5 * cm],
    )
    signatures.setStyle(
        TableStyle([("BOX", (0, 0), (0, -1), 0.4, colors.grey), ("BOX", (1, 0), (1, -1), 0.4, colors.grey)])
    )
    # The bureau as it was on the day of the meeting, not as it is when the PDF is printed.
    held_on = timezone.localtime(meeting.starts_at).date()
    seats = selectors.bureau(federation, held_on)
    if seats:
        story.append(
            Paragraph(
                _esc(
                    _("Bureau en exercice le %(date)s : %(seats)s")
                    % {
                        "date": date_format(held_on, "j F Y"),
                        "seats": " ; ".join(f"{m.get_role_display()} : {m.user}" for m in seats),
                    }
                ),
                small,
            )
        )
    story.append(signatures)
    return story


def minutes_story_text(meeting: Meeting) -> str:
    """The plain text of the minutes (what the PDF prints), for checks and search."""
    parts = []

    def walk(flowables):
        for flowable in flowables:
            if isinstance(flowable, Paragraph):
                parts.append(flowable.getPlainText())
            elif isinstance(flowable, Table):
                for row in flowable._cellvalues:
                    walk([c for c in row if not isinstance(c, str)])
                    parts.extend(c for c in row if isinstance(c, str))
            elif isinstance(flowable, KeepTogether):
                walk(flowable._content)

    walk(minutes_story(meeting))
    return "\n".join(parts)


def minutes_pdf(meeting: Meeting) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"Procès-verbal — {meeting.title}",
        author=meeting.federation.name,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        pageCompression=0,  # text stays searchable in the file (register of deliberations)
        invariant=1,
    )
    doc.build(minutes_story(meeting))
    return buffer.getvalue()
