"""The 月度统计 as plain text for the terminal (`handbook report`)."""

from __future__ import annotations

from ...site.links import clause_label
from .report import CARRY_LABELS, COMPANY


def month_label(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


def verdict(row: dict) -> str:
    if not row.get("submitted", True):
        return "未报送"
    return {True: "达标", False: "未达标", None: ""}[row["met"]]


def filing_line(report: dict) -> str:
    """报送中 / 已截止 / 已关账, and whether everything owed is in: a half-filed month reads as one."""
    deadline = report["deadline"].replace("T", " ")
    state = f"报送状态：{report['state']}（截止 {deadline}）"
    if report["complete"]:
        return state + "；应报送的记录表已全部报送。"
    sites = len({x["site"] for x in report["missing"]})
    return (state + f"；{sites} 个管理处共 {len(report['missing'])} 张记录表未报送：相关指标显示“未报送”，"
            "不计入全公司合计。")


def included_line(row: dict) -> str | None:
    """For a company figure that leaves some 管理处 out: which it adds up."""
    if not row.get("left_out"):
        return None
    inside = "、".join(row["included"]) or "无"
    return f"{row['title']}的全公司合计只含已报送的 {inside}（未报送：{'、'.join(row['left_out'])}）"


def kpi_line(row: dict) -> str:
    prev = "—" if row["previous"] is None else f"{row['previous']:.1f}%"
    target = f"目标{row['target_display']}" if row["target"] is not None else "不设目标"
    transit = "—" if row["in_transit"] is None else row["in_transit"]
    parts = [f"{kpi_title(row)}：{row['display']}（{row['fraction']}）", target, verdict(row), f"在途{transit}",
             f"上月{prev}", f"本年累计{row['ytd_display']}", f"依据{clause_label(row['clause'])}"]
    return "  " + "  ".join(p for p in parts if p)


def report_text(report: dict, form_titles: dict[str, str] | None = None) -> str:
    scope = ""
    if report.get("forms"):
        scope = "，只含取自" + "、".join((form_titles or {}).get(f, f) for f in report["forms"]) + "的部分"
    lines = [f"{month_label(report['month'])} 月度统计（{len(report['sites'])} 个管理处：{'、'.join(report['sites'])}{scope}）",
             filing_line(report), ""]
    if report["kpis"]:
        for site in [COMPANY] + report["sites"]:
            lines.append(f"【{site}】考核指标")
            lines += [kpi_line(r) for r in report["kpis"] if r["site"] == site]
            if site == COMPANY:
                notes = [included_line(r) for r in report["kpis"] if r["site"] == COMPANY]
                lines += [f"  注：{n}" for n in notes if n]
            lines.append("")
    if report["carryover"]:
        lines.append(f"【{COMPANY}】跨月事项")
        head = "、".join(CARRY_LABELS.values())
        lines.append(f"  表单：{head}")
        for r in report["carryover"]:
            if r["site"] == COMPANY:
                values = [str(r[k]) for k in CARRY_LABELS if k != "completion_rate"]
                values.insert(5, r["completion_display"])
                lines.append(f"  {r['title']}：" + " / ".join(values))
        lines.append("")
    if report["counts"]:
        lines.append(f"【{COMPANY}】业务量")
        current = None
        for r in report["counts"]:
            if r["site"] != COMPANY:
                continue
            if r["id"] != current:
                current = r["id"]
                lines.append(f"  {r['title']}：")
            lines.append(f"    {r['category'] or '合计'} {r['value']}")
    if not (report["kpis"] or report["carryover"] or report["counts"]):
        lines.append("这些表单不计入考核指标、跨月事项和业务量。")
    missing = [s for s in report["submissions"] if s["missing"]]
    if missing:
        lines.append("")
        lines.append("报送情况（缺报）")
        lines += [f"  {s['site']}：{'、'.join(s['missing'])}" for s in missing]
    lines += [f"注：{n}" for n in report["notes"]]
    return "\n".join(lines)


# one pass: escaping HTML first and then "#" turned the apostrophe's &#x27; into &&#35;x27;
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;",
                           **{c: f"&#{ord(c)};" for c in "\\`*_{}[]()#!|~"}})


def md_escape(value) -> str:
    """Text for a page that Markdown will read: HTML-escaped, and every character Markdown or its
    extensions (attr_list's {: …}, links, emphasis) could act on written as an entity."""
    return str(value).translate(_ENTITIES)


PROVISIONAL = "（暂按周一至周五）"


def kpi_title(row: dict) -> str:
    """A KPI's name, marked when a deadline behind it counted working days of a year with no holiday table."""
    return row["title"] + (PROVISIONAL if row.get("provisional") else "")
