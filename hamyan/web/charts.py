"""Charts drawn on the server as SVG (no script, no JS build; they print as they show). A chart is
computed here as drawing instructions; partials/chart.html only prints them. Every chart carries a
text alternative (`summary`, read by screen readers and printed under it), and the page shows its
figures in a table too, which is also the table's CSV."""
from dataclasses import dataclass, field
from typing import Callable

from babel.lists import format_list
from flask_babel import gettext as _
from flask_babel import ngettext

from hamyan.i18n import digits, display_locale, page_box

PALETTE = ("#1f5f5b", "#c0713a", "#5a6fb0", "#8a5a9e", "#7a8b3a")
WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 640, 240, 30, 34, 8
FONT = 20  # in the 640-wide drawing: still readable when a phone shrinks it to 360 pixels


@dataclass
class Chart:
    title: str
    summary: str  # the text alternative: what a reader takes from the chart at a glance
    width: int = WIDTH
    height: int = HEIGHT
    font: int = FONT
    rects: list = field(default_factory=list)  # (x, y, w, h, colour, title)
    lines: list = field(default_factory=list)  # (points "x,y x,y", colour, name)
    dots: list = field(default_factory=list)  # (x, y, colour, title)
    labels: list = field(default_factory=list)  # (x, y, text, anchor)
    legend: list = field(default_factory=list)  # (name, colour)


def _in_page_digits(labels: list[str], fmt: Callable[[int], str]) -> tuple[list[str], Callable[[int], str]]:
    """The labels and the value format writing the page's digits (Persian on Persian pages)."""
    box = page_box()
    return [digits(label, box) for label in labels], lambda value: digits(fmt(value), box)


def _summary(title: str, labels: list[str], values: list[int], fmt: Callable[[int], str], over_time: bool = True) -> str:
    """Said in the page's language (a chart is drawn inside a request)."""
    if not values:
        return _("%(title)s: no figures yet.", title=title)
    if not over_time:
        return _("%(title)s: %(figures)s.", title=title, figures=format_list(
            [f"{label} {fmt(value)}" for label, value in zip(labels, values)], locale=display_locale()))
    peak = max(range(len(values)), key=lambda i: values[i])
    return ngettext("%(title)s: %(last)s in %(last_label)s; the highest was %(peak)s in %(peak_label)s (%(points)s point).",
                    "%(title)s: %(last)s in %(last_label)s; the highest was %(peak)s in %(peak_label)s (%(points)s points).",
                    len(values), title=title, last=fmt(values[-1]), last_label=labels[-1], peak=fmt(values[peak]),
                    peak_label=labels[peak], points=digits(len(values)))


def _axes(chart: Chart, labels: list[str], slot: float, peak: int, fmt: Callable[[int], str]) -> None:
    """The top of the scale (top left) and some labels under the axis."""
    chart.labels.append((LEFT, FONT, _("max %(value)s", value=fmt(peak)), "start"))
    step = max(1, -(-len(labels) // 6))  # at most six labels under the axis
    for i in range(0, len(labels), step):
        chart.labels.append((round(LEFT + i * slot + slot / 2, 1), chart.height - 8, labels[i], "middle"))


def bars(title: str, points: list[tuple[str, int]], fmt: Callable[[int], str] = str, colour: str = PALETTE[0],
         over_time: bool = True) -> Chart:
    """One bar per (label, value), months (over_time) or categories; a negative value is drawn as
    zero (its bar's title and the summary name it)."""
    labels, fmt = _in_page_digits([p[0] for p in points], fmt)
    values = [p[1] for p in points]
    chart = Chart(title, _summary(title, labels, values, fmt, over_time))
    peak = max(values + [1])
    slot = (chart.width - 2 * LEFT) / max(len(points), 1)
    scale = (chart.height - TOP - BOTTOM) / peak
    for i, (label, value) in enumerate(zip(labels, values)):
        h = max(value, 0) * scale
        chart.rects.append((round(LEFT + i * slot + slot * 0.15, 1), round(chart.height - BOTTOM - h, 1),
                            round(slot * 0.7, 1), round(h, 1), colour, f"{label}: {fmt(value)}"))
    _axes(chart, labels, slot, peak, fmt)
    return chart


def lines(title: str, labels: list[str], series: list[tuple[str, list[int]]], fmt: Callable[[int], str] = str) -> Chart:
    """One line per (name, values), the values over `labels`; a legend names the lines."""
    labels, fmt = _in_page_digits(labels, fmt)
    first = series[0][1] if series else []
    chart = Chart(title, _summary(title, labels, first, fmt) if len(series) == 1 else
                  " ".join(_summary(f"{title}, {name}", labels, values, fmt) for name, values in series))
    peak = max([v for _, values in series for v in values] + [1])
    slot = (chart.width - 2 * LEFT) / max(len(labels), 1)
    scale = (chart.height - TOP - BOTTOM) / peak
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = [(round(LEFT + i * slot + slot / 2, 1), round(chart.height - BOTTOM - max(v, 0) * scale, 1))
                  for i, v in enumerate(values)]
        chart.lines.append((" ".join(f"{x},{y}" for x, y in points), colour, name))
        chart.dots += [(x, y, colour, f"{labels[i]}: {fmt(values[i])}") for i, (x, y) in enumerate(points)]
        chart.legend.append((name, colour))
    _axes(chart, labels, slot, peak, fmt)
    return chart
