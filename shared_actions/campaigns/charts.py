"""Server-side SVG charts for the campaign dashboard: no JavaScript, no external asset.

Every text that reaches the SVG is escaped; the result is marked safe only here.
"""

import datetime as dt
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from shared_actions.campaigns.selectors import Progress

OK, MID, LOW, TARGET, GRID = "#1f7a3d", "#0b5cad", "#9a5b00", "#b3261e", "#d8dde4"


def _num(value) -> str:
    value = Decimal(value)
    return number_format(value.normalize() if value == value.to_integral() else value, decimal_pos=None)


def _colour(ratio: float) -> str:
    if ratio >= 1:
        return OK
    return MID if ratio >= 0.5 else LOW


def progress_bars(title: str, rows: list[Progress], overall: Progress, unit: str = "") -> SafeString:
    """Horizontal bars: one per CPTS and one for the total, each against its own target (the red
    tick). Bars are scaled on their target so that every row reads as a percentage."""
    label_w, bar_w, row_h, top = 190, 300, 30, 34
    all_rows = [*rows, overall]
    height = top + row_h * len(all_rows) + 16
    width = label_w + bar_w + 170
    scale_max = max([1.0, *[r.ratio for r in all_rows]])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart-title-{id(rows)}">',
        f'<title id="chart-title-{id(rows)}">{escape(title)}</title>',
        f'<text x="0" y="18" font-size="15" font-weight="700" fill="#1d2430">{escape(title)}</text>',
    ]
    target_x = label_w + bar_w / scale_max
    for index, row in enumerate(all_rows):
        y = top + index * row_h
        is_total = row is overall
        filled = min(row.ratio, scale_max) / scale_max * bar_w
        weight = "700" if is_total else "400"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 18}" font-size="13" text-anchor="end" font-weight="{weight}" '
            f'fill="#1d2430">{escape(row.label)}</text>'
        )
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="20" fill="#eef1f5" rx="3"/>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{filled:.1f}" height="20" fill="{_colour(row.ratio)}" rx="3">'
            f"<title>{escape(row.label)} : {_num(row.value)} / {_num(row.target)} {escape(unit)}</title></rect>"
        )
        parts.append(
            f'<line x1="{target_x:.1f}" x2="{target_x:.1f}" y1="{y + 1}" y2="{y + 27}" stroke="{TARGET}" '
            f'stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{label_w + bar_w + 8}" y="{y + 18}" font-size="13" fill="#1d2430" font-weight="{weight}">'
            f"{_num(row.value)} / {_num(row.target)} ({row.percent} %)</text>"
        )
    parts.append(
        f'<text x="{target_x:.1f}" y="{height - 2}" font-size="11" text-anchor="middle" fill="{TARGET}">'
        f"{escape(_('cible'))}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every dynamic text above is escaped


def progress_line(title: str, series: list[tuple[dt.date, Decimal]], target: Decimal) -> SafeString:
    """The total over time (step line) against the département target (dashed)."""
    width, height, left, right, top, bottom = 520, 220, 56, 16, 30, 36
    if not series:
        return mark_safe(f'<p class="meta">{escape(_("Aucune valeur saisie pour le moment."))}</p>')  # noqa: S308
    days = [d for d, _v in series]
    first, last = days[0], days[-1]
    span = max((last - first).days, 1)
    top_value = float(max([target, *[v for _d, v in series]])) or 1.0

    def x(day: dt.date) -> float:
        return left + (day - first).days / span * (width - left - right)

    def y(value) -> float:
        return top + (1 - float(value) / top_value) * (height - top - bottom)

    points = []
    previous = None
    for day, value in series:
        if previous is not None:
            points.append(f"{x(day):.1f},{y(previous):.1f}")
        points.append(f"{x(day):.1f},{y(value):.1f}")
        previous = value
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="700" fill="#1d2430">{escape(title)}</text>',
        f'<line x1="{left}" x2="{width - right}" y1="{height - bottom}" y2="{height - bottom}" stroke="{GRID}"/>',
        f'<line x1="{left}" x2="{width - right}" y1="{y(target):.1f}" y2="{y(target):.1f}" stroke="{TARGET}" '
        f'stroke-dasharray="6 4" stroke-width="2"/>',
        f'<text x="{left - 6}" y="{y(target) + 4:.1f}" font-size="11" text-anchor="end" fill="{TARGET}">'
        f"{_num(target)}</text>",
        f'<text x="{left - 6}" y="{height - bottom + 4}" font-size="11" text-anchor="end" fill="#5b6574">0</text>',
        f'<polyline fill="none" stroke="{MID}" stroke-width="3" points="{" ".join(points)}"/>',
        f'<text x="{left}" y="{height - 12}" font-size="11" fill="#5b6574">{first:%d/%m/%Y}</text>',
        f'<text x="{width - right}" y="{height - 12}" font-size="11" text-anchor="end" fill="#5b6574">'
        f"{last:%d/%m/%Y}</text>",
    ]
    for day, value in series:
        parts.append(
            f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="4" fill="{MID}"><title>{day:%d/%m/%Y} : '
            f"{_num(value)}</title></circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every dynamic text above is escaped
