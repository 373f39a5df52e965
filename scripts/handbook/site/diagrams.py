"""Static SVG diagrams drawn from data: the org chart and SOP flowcharts.

Text stays <text> so Chinese renders with the reader's fonts and stays searchable.
"""

from __future__ import annotations

from html import escape

from ..model import OrgNode

FONT = "font-family=\"'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif\""
BOX_W, BOX_H, GAP_X, GAP_Y = 120, 44, 24, 56
CHAR_W = 15  # width of one CJK character at font-size 15


def _leaves(node: OrgNode) -> int:
    return max(1, sum(_leaves(c) for c in node.children))


def org_chart(root: OrgNode) -> str:
    boxes, lines = [], []

    def place(node: OrgNode, left: float, depth: int) -> float:
        width = _leaves(node) * (BOX_W + GAP_X)
        cx = left + width / 2
        y = 10 + depth * (BOX_H + GAP_Y)
        boxes.append((cx, y, node.role))
        child_left = left
        for child in node.children:
            ccx = place(child, child_left, depth + 1)
            child_left += _leaves(child) * (BOX_W + GAP_X)
            mid = y + BOX_H + GAP_Y / 2
            lines.append(f'<path d="M{cx} {y + BOX_H} V{mid} H{ccx} V{y + BOX_H + GAP_Y}" />')
        return cx

    place(root, 0, 0)
    width = _leaves(root) * (BOX_W + GAP_X)
    height = max(y for _, y, _ in boxes) + BOX_H + 10
    parts = [
        f'<svg class="hb-diagram hb-org" role="img" aria-label="客服中心岗位结构图" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" xmlns="http://www.w3.org/2000/svg">',
        '<g fill="none" stroke="currentColor" stroke-width="1.5">', *lines, "</g>",
    ]
    for cx, y, label in boxes:
        parts.append(
            f'<rect x="{cx - BOX_W / 2}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
            f'fill="var(--md-default-bg-color, #fff)" stroke="currentColor" stroke-width="1.5"/>'
            f'<text x="{cx}" y="{y + BOX_H / 2 + 5}" text-anchor="middle" font-size="16" {FONT} '
            f'fill="currentColor">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _wrap(text: str, per_line: int) -> list[str]:
    return [text[i:i + per_line] for i in range(0, len(text), per_line)] or [""]


def flow_chart(steps: list[str], label: str) -> str:
    width, per_line, line_h, pad = 420, 24, 20, 10
    y, parts = 10, []
    for i, step in enumerate(steps):
        lines = _wrap(step, per_line)
        h = len(lines) * line_h + 2 * pad
        parts.append(
            f'<rect x="20" y="{y}" width="{width - 40}" height="{h}" rx="6" '
            f'fill="var(--md-default-bg-color, #fff)" stroke="currentColor" stroke-width="1.5"/>'
        )
        for j, line in enumerate(lines):
            parts.append(
                f'<text x="{width / 2}" y="{y + pad + (j + 1) * line_h - 5}" text-anchor="middle" '
                f'font-size="{CHAR_W}" {FONT} fill="currentColor">{escape(line)}</text>'
            )
        y += h
        if i < len(steps) - 1:
            parts.append(
                f'<path d="M{width / 2} {y} V{y + 22}" stroke="currentColor" stroke-width="1.5"/>'
                f'<path d="M{width / 2 - 6} {y + 14} L{width / 2} {y + 22} L{width / 2 + 6} {y + 14}" '
                f'fill="none" stroke="currentColor" stroke-width="1.5"/>'
            )
            y += 22
    return (
        f'<svg class="hb-diagram hb-flow" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {width} {y + 10}" width="{width}" xmlns="http://www.w3.org/2000/svg">'
        + "".join(parts) + "</svg>"
    )
