"""Geometry for the dashboard's server-side SVG charts (pure functions: no Flask, no database).

The templates draw these shapes as inline SVG: no JavaScript, no chart library, nothing loaded from
another host, and every chart has a data table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH = 640
LABEL_WIDTH = 200
VALUE_WIDTH = 70
BAR_HEIGHT = 18
GAP = 6


@dataclass
class Bar:
    label: str
    value_text: str
    x: float
    y: float
    width: float
    height: float
    css: str = "bar"


@dataclass
class HBarChart:
    """Horizontal bars (one or several stacked segments per row)."""

    width: int
    height: int
    label_x: int
    rows: list[dict] = field(default_factory=list)  # {label, value_text, y, text_y, segments: [Bar]}


def _scale(max_value: float, room: float) -> float:
    return room / max_value if max_value > 0 else 0.0


def hbar(items: list[tuple[str, float, str]], max_value: float | None = None) -> HBarChart:
    """``items``: (label, value, value text). ``max_value`` fixes the scale (e.g. 1.0 for rates)."""
    return stacked_hbar([(label, [(value, "bar")], text) for label, value, text in items], max_value)


def stacked_hbar(items: list[tuple[str, list[tuple[float, str]], str]], max_value: float | None = None) -> HBarChart:
    """``items``: (label, [(value, css class), …], total text); segments are drawn left to right."""
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    top = max((sum(v for v, _ in segs) for _, segs, _ in items), default=0)
    scale = _scale(max_value if max_value is not None else top, room)
    chart = HBarChart(width=WIDTH, height=len(items) * (BAR_HEIGHT + GAP) + GAP, label_x=LABEL_WIDTH - 6)
    for i, (label, segments, text) in enumerate(items):
        y = GAP + i * (BAR_HEIGHT + GAP)
        x = float(LABEL_WIDTH)
        bars = []
        for value, css in segments:
            w = max(value, 0) * scale
            if w > 0:
                bars.append(Bar(label, "", round(x, 1), y, round(w, 1), BAR_HEIGHT, css))
            x += w
        chart.rows.append({"label": label, "value_text": text, "y": y, "text_y": y + BAR_HEIGHT - 4,
                           "value_x": round(x + 6, 1), "segments": bars})
    return chart


@dataclass
class ColumnLineChart:
    """Columns (left axis) with a line (right axis), e.g. enrolments and the cumulative total per year."""

    width: int
    height: int
    plot_top: int
    plot_bottom: int
    columns: list[dict] = field(default_factory=list)
    points: str = ""
    dots: list[dict] = field(default_factory=list)
    left_max: str = ""
    right_max: str = ""


def column_line(items: list[tuple[str, float, float]], width: int = WIDTH, height: int = 260) -> ColumnLineChart:
    """``items``: (label, column value, line value)."""
    left, right, top, bottom = 44, 56, 16, height - 28
    chart = ColumnLineChart(width=width, height=height, plot_top=top, plot_bottom=bottom)
    if not items:
        return chart
    col_max = max(v for _, v, _ in items) or 1
    line_max = max(v for _, _, v in items) or 1
    slot = (width - left - right) / len(items)
    col_w = max(min(slot * 0.6, 48), 2)
    points = []
    for i, (label, value, line_value) in enumerate(items):
        cx = left + slot * i + slot / 2
        h = (bottom - top) * value / col_max
        chart.columns.append({"label": label, "x": round(cx - col_w / 2, 1), "y": round(bottom - h, 1),
                              "width": round(col_w, 1), "height": round(h, 1), "text_x": round(cx, 1),
                              "show_label": i % -(-len(items) // 10) == 0})
        ly = bottom - (bottom - top) * line_value / line_max
        points.append(f"{cx:.1f},{ly:.1f}")
        chart.dots.append({"x": round(cx, 1), "y": round(ly, 1)})
    chart.points = " ".join(points)
    chart.left_max = f"{col_max:,.0f}"
    chart.right_max = f"{line_max:,.0f}"
    return chart
