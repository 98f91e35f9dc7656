"""The échéancier as an inline SVG bar chart, drawn on the server (no JavaScript): one bar per instalment,
its parts stacked by kind, so that the régularisation and the ajustement after a declaration stand out."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from echeancier.documents.echeancier import kind_label
from echeancier.kernel.fmt import format_date, format_euros
from echeancier.kernel.money import ZERO

if TYPE_CHECKING:
    from echeancier.schedule.echeancier import Echeancier

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), distinct for the common colour blindnesses.
COLOURS = {
    "provisional": "#1f5fa8",
    "ajustement": "#e07b00",
    "regularisation": "#b3261e",
    "taxation_office": "#8c1d5f",
    "cfp": "#5b8c3a",
    "etalement": "#7a4fa3",
    "report": "#6b6b6b",
    "penalite_declaration": "#3d3d8f",
    "majoration": "#222222",
    "carried_over": "#8a5a00",
}
WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 16, 56


def _nice_step(maximum: Decimal) -> Decimal:
    """A round step for about four gridlines (100, 200, 250, 500, 1 000 …)."""
    raw = maximum / 4 if maximum > 0 else Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 2.5, 5, 10):
        step = magnitude * Decimal(str(factor))
        if step >= raw:
            return step
    return magnitude * 10


def schedule_svg(e: Echeancier) -> Markup:
    """The chart as SVG markup (every text escaped), with a title and description for screen readers."""
    instalments = e.instalments
    if not instalments:
        return Markup("")
    top = max(i.amount for i in instalments)
    step = _nice_step(top)
    ceiling = step * ((top // step) + 1) if top > 0 else step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(instalments)
    bar = max(2.0, slot * 0.7)

    def y(amount: Decimal) -> float:
        return TOP + plot_h - float(amount / ceiling) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="chart-title chart-desc" class="chart">',
        '<title id="chart-title">Montant de chaque échéance</title>',
        f'<desc id="chart-desc">{len(instalments)} échéances du {format_date(instalments[0].due_date)} au '
        f"{format_date(instalments[-1].due_date)} ; la plus élevée : {escape(format_euros(top, cents=True))}. "
        "Le détail figure dans le tableau ci-dessous.</desc>",
    ]
    tick = ZERO
    while tick <= ceiling:
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#d0d4dc"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" fill="#333">'
            f"{escape(format_euros(tick))}</text>"
        )
        tick += step
    kinds: list[str] = []
    for index, instalment in enumerate(instalments):
        x = LEFT + index * slot + (slot - bar) / 2
        base = ZERO
        for part in instalment.parts:
            if part.amount <= 0:
                continue
            if part.kind not in kinds:
                kinds.append(part.kind)
            colour = COLOURS.get(part.kind, "#444444")
            out.append(
                f'<rect x="{x:.1f}" y="{y(base + part.amount):.1f}" width="{bar:.1f}" '
                f'height="{y(base) - y(base + part.amount):.1f}" fill="{colour}">'
                f"<title>{escape(format_date(instalment.due_date))} : {escape(kind_label(part.kind))} "
                f"{part.year}, {escape(format_euros(part.amount, cents=True))}</title></rect>"
            )
            base += part.amount
        if index % 3 == 0:
            label = instalment.due_date.strftime("%m/%Y")
            out.append(
                f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" '
                f'fill="#333">{label}</text>'
            )
    for position, kind in enumerate(kinds):
        lx = LEFT + position * 150
        out.append(
            f'<rect x="{lx}" y="{HEIGHT - 22}" width="12" height="12" fill="{COLOURS.get(kind, "#444444")}"/>'
            f'<text x="{lx + 16}" y="{HEIGHT - 12}" font-size="12" fill="#111">{escape(kind_label(kind))}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
