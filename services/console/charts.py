"""The map and the charts, as SVG drawn on the server (no script, no assets).

Each figure comes with the same data as text beside it (the templates print a
list or a table), so a screen reader and a person without colour vision read
what the picture shows. Shapes that can be selected are links with a
``<title>``, reachable by keyboard.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup, escape

from services.common.i18n import Texts, formats
from services.console.texts import say, say_n

# Coverage classes, from nothing served to all served: a blue scale that stays
# readable in grey, and a warm colour for "nothing", the case to look at first.
COVERAGE_CLASSES = [
    (0.0, 0.0001, "#d1344c"),
    (0.0001, 0.5, "#f0a35e"),
    (0.5, 0.8, "#7fb2e5"),
    (0.8, 0.9999, "#2f7fd1"),
    (0.9999, 1.01, "#004d99"),
]


def coverage_colour(share: float) -> str:
    for low, high, colour in COVERAGE_CLASSES:
        if low <= share < high:
            return colour
    return COVERAGE_CLASSES[-1][2]


def coverage_legend(t: Texts) -> list[tuple[str, str]]:
    """(colour, words) for each class, in the order the legend lists them."""
    words = [say(t, "nothing served"), say(t, "less than half served"),
             say(t, "half to 80% served"), say(t, "80% or more served"), say(t, "all served")]
    return [(colour, text) for (_, _, colour), text in zip(COVERAGE_CLASSES, words, strict=True)]


@dataclass(frozen=True)
class Place:
    code: str  # ISTAT code
    name: str
    lat: float
    lon: float
    demanded: int  # unit-weeks
    served: int

    @property
    def coverage(self) -> float:
        return self.served / self.demanded if self.demanded else 0.0


def network_map(t: Texts, places: list[Place], selected: str | None,
                href: Callable[[str], str], width: int = 560, height: int = 440) -> Markup:
    """The municipalities at their place (equirectangular, scaled by the cosine of
    the mean latitude so distances look right), circle area in proportion to demand."""
    if not places:
        return Markup("")
    pad, r_max, r_min = 36, 30.0, 5.0
    mean_lat = sum(p.lat for p in places) / len(places)
    squeeze = math.cos(math.radians(mean_lat))
    xs = [p.lon * squeeze for p in places]
    ys = [p.lat for p in places]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-6)
    scale = min((width - 2 * pad) / span, (height - 2 * pad) / span)
    x0 = (width - (max(xs) - min(xs)) * scale) / 2
    y0 = (height - (max(ys) - min(ys)) * scale) / 2
    most = max(p.demanded for p in places) or 1
    out = [f'<svg class="map" viewBox="0 0 {width} {height}" role="group" '
           f'aria-labelledby="map-title" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="map-title">{escape(say(t, "Map of the municipalities of the network"))}'
           '</title>',
           f'<rect x="0" y="0" width="{width}" height="{height}" class="map-ground"/>']
    # Largest first, so a small municipality is never hidden under a large one.
    for place in sorted(places, key=lambda p: -p.demanded):
        x = x0 + (place.lon * squeeze - min(xs)) * scale
        y = height - (y0 + (place.lat - min(ys)) * scale)
        r = max(r_min, r_max * math.sqrt(place.demanded / most))
        label = say(t, "{name}: {share} of {units} unit-weeks served", name=place.name,
                    share=formats.percent(t, place.coverage),
                    units=formats.number(t, place.demanded))
        chosen = " selected" if place.code == selected else ""
        out.append(
            f'<a href="{escape(href(place.code))}" class="place{chosen}" '
            f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" '
            f'fill="{coverage_colour(place.coverage)}" data-comune="{escape(place.code)}"/>'
            '</a>')
    out.append("</svg>")
    return Markup("".join(out))


@dataclass(frozen=True)
class Bar:
    label: str
    share: float  # 0..1, the bar's length
    value: str  # what the bar's end says


def bar_chart(t: Texts, title: str, bars: list[Bar], width: int = 640,
              row: int = 22) -> Markup:
    """Horizontal bars with their labels (firm names) at the left."""
    label_w, value_w, top = 250, 70, 6
    bar_w = width - label_w - value_w
    height = top * 2 + row * len(bars)
    out = [f'<svg class="bars" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f'<title>{escape(title)}</title>']
    for i, bar in enumerate(bars):
        y = top + i * row
        length = max(0.0, min(1.0, bar.share)) * bar_w
        out.append(
            f'<text x="{label_w - 8}" y="{y + row * 0.68:.1f}" text-anchor="end" '
            f'class="bar-label">{escape(_clip(bar.label, 34))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row - 6}" '
            'class="bar-track"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{length:.1f}" height="{row - 6}" '
            f'fill="{coverage_colour(bar.share)}"/>'
            f'<text x="{label_w + bar_w + 6}" y="{y + row * 0.68:.1f}" '
            f'class="bar-value">{escape(bar.value)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def demand_capacity_chart(t: Texts, title: str, weeks: list[str],
                          per_week: dict[str, tuple[int, int]], width: int = 640,
                          height: int = 150) -> Markup:
    """One category: for each week, the units asked (filled) against the places
    offered (outlined), on one scale."""
    left, bottom, top = 44, 22, 8
    most = max([max(d, c) for d, c in per_week.values()] + [1])
    slot = (width - left - 4) / max(len(weeks), 1)
    plot_h = height - bottom - top
    out = [f'<svg class="columns" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f'<title>{escape(title)}</title>',
           f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" class="axis">'
           f'{escape(formats.number(t, most))}</text>',
           f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" class="axis">0</text>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}" '
           'class="baseline"/>']
    for i, week in enumerate(weeks):
        demand, capacity = per_week.get(week, (0, 0))
        x = left + i * slot
        w = max(slot * 0.38, 1)
        dh, ch = plot_h * demand / most, plot_h * capacity / most
        out.append(
            f'<rect x="{x + slot * 0.1:.1f}" y="{top + plot_h - dh:.1f}" width="{w:.1f}" '
            f'height="{dh:.1f}" class="demand"/>'
            f'<rect x="{x + slot * 0.5:.1f}" y="{top + plot_h - ch:.1f}" width="{w:.1f}" '
            f'height="{ch:.1f}" class="capacity"/>')
        if i % 2 == 0:
            out.append(f'<text x="{x + slot / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                       f'class="axis">{int(week[6:])}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


# --- a group contract's weekly load (helper "loadchart") ---------------------------------

@dataclass(frozen=True)
class WeekLoad:
    week: str  # ISO week, "2027-W27"
    units: int  # the contract's load that week
    running: bool = True  # False: the offer does not run that week (a gap in its run)


def week_short(t: Texts, week: str) -> str:
    """``sett. 27`` / ``wk 27``: a chart's label; the dates go in its title."""
    return say(t, "wk {number}", number=int(week.split("-W")[1]))


def week_load(t: Texts, load: WeekLoad) -> str:
    """``settimana 27, 5–11 luglio 2027: 12 unità`` (or ``: non attiva``), a column's title."""
    said = (say_n(t, "{n} unit", "{n} units", load.units)
            if load.running else say(t, "does not run"))
    return f"{formats.week(t, load.week)}: {said}"


def load_chart(t: Texts, title: str, weeks: list[WeekLoad], capacity: int | None,
               minimum: int | None, width: int = 560, height: int = 128) -> Markup:
    """One group contract: the units it serves each week (columns, their figure on
    them) against the offer's capacity (a solid line) and its minimum group (a dashed
    line, left out when there is none), on one scale from 0. Each column's ``<title>``
    names its week with the dates; the lines are labelled at their right end, so no
    colour has to be told apart. Small on purpose: a round has hundreds of these."""
    left, right, top, bottom = 8, 104, 10, 20
    plot_h = height - top - bottom
    scale = max([capacity or 0, minimum or 0, 1] + [w.units for w in weeks])
    slot = min((width - left - right) / max(len(weeks), 1), 48.0)
    end = left + slot * len(weeks)

    def y(value: int) -> float:
        return top + plot_h * (1 - value / scale)

    every = max(1, math.ceil(46 / slot))  # "sett. 27" is some 44 px wide at 11 px
    out = [f'<svg class="load" viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f'<title>{escape(title)}</title>']
    for i, load in enumerate(weeks):
        x, w = left + i * slot + slot * 0.12, slot * 0.76
        h = plot_h * load.units / scale
        out.append(f'<g><title>{escape(week_load(t, load))}</title>'
                   f'<rect x="{x:.1f}" y="{y(load.units):.1f}" width="{w:.1f}" '
                   f'height="{h:.1f}" class="ld" data-week="{load.week}" '
                   f'data-units="{load.units}"/>')
        if slot >= 26 and load.units:  # the figure, inside a tall column, else above it
            inside = h >= 16
            at, kind = y(load.units) + (12 if inside else -3), "lv in" if inside else "lv"
            out.append(f'<text x="{x + w / 2:.1f}" y="{at:.1f}" '
                       f'text-anchor="middle" class="{kind}">'
                       f'{escape(formats.number(t, load.units))}</text>')
        if i % every == 0:
            out.append(f'<text x="{x + w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                       f'class="axis">{escape(week_short(t, load.week))}</text>')
        out.append("</g>")
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{end:.1f}" y2="{top + plot_h}" '
               'class="baseline"/>')
    marks = []
    if capacity is not None:
        marks.append(("cap", capacity, say(t, "capacity {n}", n=formats.number(t, capacity))))
    if minimum:
        marks.append(("min", minimum, say(t, "minimum {n}", n=formats.number(t, minimum))))
    close = len(marks) == 2 and y(marks[1][1]) - y(marks[0][1]) < 12
    for kind, value, words_ in marks:
        # Two lines close together: capacity's label above its line, the minimum's below.
        shift = (-2 if kind == "cap" else 10) if close else 4
        out.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{end + 4:.1f}" '
                   f'y2="{y(value):.1f}" class="{kind}" data-value="{value}"/>'
                   f'<text x="{end + 8:.1f}" y="{y(value) + shift:.1f}" class="{kind}-label">'
                   f'{escape(words_)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
