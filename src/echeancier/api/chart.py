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
    from echeancier.schedule.forecast import Forecast

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), distinct for the common colour blindnesses.
COLOURS = {
    "provisional": "#1f5fa8",
    "conjoint_collaborateur": "#0f7c8c",
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


def forecast_svg(f: Forecast) -> Markup:
    """The forecast's monthly payments, without and with the proposed modulation (CSS R613-1-4 II), side by side."""
    months = f.months
    if not months:
        return Markup("")
    modulated = f.modulation is not None
    top = max(max(m.payments, m.payments_modulated) for m in months)
    step = _nice_step(top)
    ceiling = step * ((top // step) + 1) if top > 0 else step
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(months)
    bar = max(2.0, slot * (0.38 if modulated else 0.7))

    def y(amount: Decimal) -> float:
        return TOP + plot_h - float(amount / ceiling) * plot_h

    series = [("sans modulation", COLOURS["regularisation"], "payments")]
    if modulated:
        series.append(("avec modulation", COLOURS["provisional"], "payments_modulated"))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="forecast-title forecast-desc" class="chart">',
        '<title id="forecast-title">Paiements de chaque mois, avec et sans modulation</title>',
        f'<desc id="forecast-desc">{len(months)} mois de {months[0].month} à {months[-1].month} ; le mois le plus '
        f"chargé : {escape(format_euros(top, cents=True))}. Le détail figure dans le tableau de prévision.</desc>",
    ]
    tick = ZERO
    while tick <= ceiling:
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#d0d4dc"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="11" fill="#333">'
            f"{escape(format_euros(tick))}</text>"
        )
        tick += step
    for index, month in enumerate(months):
        x0 = LEFT + index * slot + (slot - bar * len(series)) / 2
        for position, (label, colour, attribute) in enumerate(series):
            amount: Decimal = getattr(month, attribute)
            x = x0 + position * bar
            out.append(
                f'<rect x="{x:.1f}" y="{y(amount):.1f}" width="{bar:.1f}" height="{y(ZERO) - y(amount):.1f}" '
                f'fill="{colour}"><title>{escape(month.month)} {escape(label)} : '
                f"{escape(format_euros(amount, cents=True))}</title></rect>"
            )
        if index % 3 == 0:
            out.append(
                f'<text x="{LEFT + index * slot + slot / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                f'font-size="11" fill="#333">{escape(month.month)}</text>'
            )
    for position, (label, colour, _) in enumerate(series):
        lx = LEFT + position * 180
        out.append(
            f'<rect x="{lx}" y="{HEIGHT - 22}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="{HEIGHT - 12}" font-size="12" fill="#111">{escape(label)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
