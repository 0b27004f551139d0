"""Charts as SVG drawn on the server by pygal, embedded as `data:` images: visible without JavaScript, and
any script pygal puts into its SVG never runs (an <img> does not execute scripts; the pages' CSP forbids them).

Each function takes the rows a page already read and returns an <img> source; the pages show the same numbers
as a table beside the chart.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pygal
from pygal.style import Style

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#111",
    foreground_subtle="#999",
    font_family="DejaVu Sans, Helvetica, Arial, sans-serif",
    colors=("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#7f7f7f"),
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    guide_stroke_color="#e4e4e4",
    major_guide_stroke_color="#cfcfcf",
    guide_stroke_dasharray="1,0",
    major_guide_stroke_dasharray="1,0",
)
COMMON: dict[str, Any] = {
    "style": STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "width": 860,
    "height": 240,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 6,
    "x_label_rotation": 30,
    "truncate_label": 14,
    "show_minor_x_labels": True,
    "print_values": False,
}


def _data_uri(chart: Any) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _thin_labels(chart: Any, labels: Sequence[str], most: int = 16) -> None:
    chart.x_labels = list(labels)
    if len(labels) > most:
        step = -(-len(labels) // most)
        chart.x_labels_major = list(labels[::step])
        chart.show_minor_x_labels = False


def stacked_by_series(labels: Sequence[str], series: Mapping[str, Sequence[float | None]], y_title: str) -> str:
    """A stacked bar chart: one bar per label, one colour per series."""
    chart = pygal.StackedBar(**COMMON, y_title=y_title)
    _thin_labels(chart, labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _data_uri(chart)


def lines(labels: Sequence[str], series: Mapping[str, Sequence[float | None]], y_title: str, *,
          percent: bool = False) -> str:  # fmt: skip
    """A line chart with dots (shares as percentages when `percent`)."""
    options: dict[str, Any] = {"y_title": y_title}
    if percent:
        options.update(range=(0, 100), value_formatter=lambda v: f"{v:.0f}%")
    chart = pygal.Line(**COMMON, **options)
    _thin_labels(chart, labels)
    for name, values in series.items():
        chart.add(name, list(values))
    return _data_uri(chart)


def pivot(rows: Iterable[Mapping[str, Any]], label: str, series: str, value: str) -> tuple[list[str], dict[str, list[float | None]]]:  # noqa: E501
    """Long rows (label, series, value) as x labels and one list of values per series (None where missing)."""
    table: dict[str, dict[str, float]] = {}
    labels: list[str] = []
    for row in rows:
        key = str(row[label])
        if key not in labels:
            labels.append(key)
        table.setdefault(str(row[series]), {})[key] = float(row[value] or 0)
    return labels, {name: [values.get(x) for x in labels] for name, values in sorted(table.items())}
