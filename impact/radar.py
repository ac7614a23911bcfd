"""Geometry of the radar chart (pure: no Flask, no database), drawn as inline SVG by a template.

Same style as ``reports/charts.py``: the template draws the shapes, a data table carries the numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

SIZE = 420
RADIUS = 140


@dataclass
class Radar:
    size: int
    cx: float
    cy: float
    rings: list[dict] = field(default_factory=list)     # {points, label, x, y}
    axes: list[dict] = field(default_factory=list)      # {x2, y2, label, lx, ly, anchor}
    series: list[dict] = field(default_factory=list)    # {name, css, points, dots: [{x, y, text}]}


def _point(cx: float, cy: float, r: float, i: int, n: int) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * i / n
    return round(cx + r * math.cos(angle), 1), round(cy + r * math.sin(angle), 1)


def radar(labels: list[str], series: list[tuple[str, str, list[float | None]]], lo: int, hi: int) -> Radar:
    """``series``: (name, css class, values on the lo–hi scale, one per label; None drawn at lo)."""
    n = len(labels)
    chart = Radar(size=SIZE, cx=SIZE / 2, cy=SIZE / 2)
    if n < 3 or hi <= lo:
        return chart
    for level in range(lo, hi + 1):
        r = RADIUS * (level - lo) / (hi - lo)
        pts = [_point(chart.cx, chart.cy, r, i, n) for i in range(n)]
        chart.rings.append({"points": " ".join(f"{x},{y}" for x, y in pts), "label": str(level),
                            "x": chart.cx + 3, "y": round(chart.cy - r - 2, 1)})
    for i, label in enumerate(labels):
        x2, y2 = _point(chart.cx, chart.cy, RADIUS, i, n)
        lx, ly = _point(chart.cx, chart.cy, RADIUS + 16, i, n)
        anchor = "middle" if abs(lx - chart.cx) < 8 else ("start" if lx > chart.cx else "end")
        chart.axes.append({"x2": x2, "y2": y2, "label": label, "lx": lx, "ly": ly + 4, "anchor": anchor})
    for name, css, values in series:
        pts, dots = [], []
        for i, v in enumerate(values):
            value = lo if v is None else min(max(v, lo), hi)
            x, y = _point(chart.cx, chart.cy, RADIUS * (value - lo) / (hi - lo), i, n)
            pts.append(f"{x},{y}")
            dots.append({"x": x, "y": y, "text": "—" if v is None else f"{v:.1f}"})
        chart.series.append({"name": name, "css": css, "points": " ".join(pts), "dots": dots})
    return chart
