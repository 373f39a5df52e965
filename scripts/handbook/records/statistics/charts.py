"""Static SVG charts for the 月度统计 pages. Text stays <text> so Chinese renders and is searchable; no scripts."""

from __future__ import annotations

import math
from html import escape

FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif\""
PALETTE = ["#00897b", "#5c6bc0", "#ef6c00", "#8d6e63", "#c2185b", "#7cb342"]
COMPANY_COLOUR = "#37474f"
MISS = "#d32f2f"


def _text(x, y, text, size=12, anchor="start", fill="currentColor", weight=None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" {FONT} '
            f'fill="{fill}"{bold}>{escape(str(text))}</text>')


def _scale_floor(values: list[float]) -> float:
    """A lower bound for a percentage axis: differences of a few points must stay visible."""
    present = [v for v in values if v is not None]
    if not present:
        return 0.0
    return max(0.0, min(80.0, math.floor((min(present) - 5) / 10) * 10))


def kpi_bars(kpis: list[dict], groups: list[str], label: str) -> str:
    """One block per KPI: a bar per 管理处 and one for 全公司, with the target as a dashed line."""
    groups_colour = {g: (COMPANY_COLOUR if i == len(groups) - 1 else PALETTE[i % len(PALETTE)]) for i, g in enumerate(groups)}
    titles = list(dict.fromkeys(k["title"] for k in kpis))
    by = {(k["title"], k["site"]): k for k in kpis}
    lo = _scale_floor([k["value"] for k in kpis] + [k["target"] for k in kpis if k["target"] is not None])
    left, bar_h, gap, width = 150, 13, 12, 640
    plot = width - left - 70
    x = lambda v: left + (max(v, lo) - lo) / (100 - lo) * plot
    block = len(groups) * bar_h + gap
    legend_h = 26
    height = legend_h + len(titles) * block + 28
    out = [f'<svg class="hb-chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" xmlns="http://www.w3.org/2000/svg">']
    lx = left
    for g in groups:
        out.append(f'<rect x="{lx}" y="6" width="12" height="12" fill="{groups_colour[g]}"/>')
        out.append(_text(lx + 16, 16, g, 12))
        lx += 22 + 13 * len(g)
    for tick in range(int(lo), 101, 10 if 100 - lo > 30 else 5):
        tx = x(tick)
        out.append(f'<line x1="{tx:.1f}" y1="{legend_h}" x2="{tx:.1f}" y2="{height - 22}" stroke="currentColor" stroke-opacity="0.12"/>')
        out.append(_text(tx, height - 8, f"{tick}%", 10, "middle"))
    for i, title in enumerate(titles):
        top = legend_h + i * block
        out.append(_text(left - 8, top + len(groups) * bar_h / 2 + 4, title, 12, "end"))
        target = next((by[(title, g)]["target"] for g in groups if (title, g) in by), None)
        for j, g in enumerate(groups):
            k = by.get((title, g))
            y = top + j * bar_h
            if k is None or k["value"] is None:
                out.append(_text(left + 4, y + bar_h - 3, "—", 10))
                continue
            colour = groups_colour[g]
            out.append(f'<rect x="{left}" y="{y + 1}" width="{x(k["value"]) - left:.1f}" height="{bar_h - 2}" fill="{colour}">'
                       f'<title>{escape(g)} {escape(title)} {k["display"]}</title></rect>')
            fill = MISS if k["met"] is False else "currentColor"
            out.append(_text(x(k["value"]) + 4, y + bar_h - 3, k["display"], 10, fill=fill))
        if target is not None:
            tx = x(target)
            out.append(f'<line x1="{tx:.1f}" y1="{top - 2}" x2="{tx:.1f}" y2="{top + len(groups) * bar_h}" '
                       f'stroke="{MISS}" stroke-width="1.5" stroke-dasharray="3 2"/>')
    out.append("</svg>")
    return "".join(out)


def trend(title: str, points: list[tuple[str, float | None]], target: float | None) -> str:
    """One KPI over the months: a line with points, the target dashed."""
    width, height, left, right, top, bottom = 300, 170, 40, 10, 26, 28
    values = [v for _, v in points if v is not None]
    lo = _scale_floor(values + ([target] if target is not None else []))
    hi = 100.0 if values else 100.0
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(points) - 1)
    x = lambda i: left + i * plot_w / n if len(points) > 1 else left + plot_w / 2
    y = lambda v: top + (hi - max(v, lo)) / (hi - lo) * plot_h
    out = [f'<svg class="hb-chart hb-trend" role="img" aria-label="{escape(title)}趋势" viewBox="0 0 {width} {height}" '
           f'width="{width}" xmlns="http://www.w3.org/2000/svg">', _text(left, 16, title, 13, weight="600")]
    for tick in (lo, (lo + hi) / 2, hi):
        out.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - right}" y2="{y(tick):.1f}" stroke="currentColor" stroke-opacity="0.12"/>')
        out.append(_text(left - 4, y(tick) + 4, f"{tick:g}%", 10, "end"))
    if target is not None:
        out.append(f'<line x1="{left}" y1="{y(target):.1f}" x2="{width - right}" y2="{y(target):.1f}" '
                   f'stroke="{MISS}" stroke-width="1.2" stroke-dasharray="4 3"/>')
    path, dots = [], []
    for i, (month, v) in enumerate(points):
        if i % max(1, len(points) // 6) == 0 or i == len(points) - 1:
            out.append(_text(x(i), height - 10, f"{int(month[5:])}月", 10, "middle"))
        if v is None:
            continue
        path.append(f"{'M' if not path else 'L'}{x(i):.1f} {y(v):.1f}")
        miss = target is not None and v < target
        dots.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{MISS if miss else COMPANY_COLOUR}">'
                    f'<title>{escape(month)} {v:.1f}%</title></circle>')
    if path:
        out.append(f'<path d="{" ".join(path)}" fill="none" stroke="{COMPANY_COLOUR}" stroke-width="1.8"/>')
    out += dots
    out.append("</svg>")
    return "".join(out)


def count_bars(title: str, rows: list[tuple[str, float]]) -> str:
    """Horizontal bars of one count by category."""
    rows = rows or [("（无）", 0)]
    left, bar_h, width = 110, 18, 420
    top = 24
    height = top + len(rows) * bar_h + 8
    biggest = max(v for _, v in rows) or 1
    plot = width - left - 60
    out = [f'<svg class="hb-chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" xmlns="http://www.w3.org/2000/svg">', _text(0, 15, title, 13, weight="600")]
    for i, (label, value) in enumerate(rows):
        y = top + i * bar_h
        w = value / biggest * plot
        out.append(_text(left - 6, y + bar_h - 5, label, 11, "end"))
        out.append(f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 4}" fill="{PALETTE[0]}"/>')
        out.append(_text(left + w + 4, y + bar_h - 5, f"{value:g}", 11))
    out.append("</svg>")
    return "".join(out)
