"""The 月度统计 as downloads: the KPI table as CSV, every table as one XLSX workbook.

Only aggregates and record numbers: no personal field ever reaches a report.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from ...site.links import clause_label
from .text import kpi_title
from .report import CARRY_LABELS

VERDICT = {True: "达标", False: "未达标", None: "—"}
KPI_HEADER = ["月份", "管理处", "指标", "实际值", "分子", "分母", "在途", "目标值", "是否达标",
              "上月", "环比（百分点）", "本年累计", "目标依据", "计算口径"]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that Excel would run as a formula (=, +, -, @ at the start) is kept as text with a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _safe_rows(rows: list[list]) -> list[list]:
    return [[safe_cell(v) for v in row] for row in rows]


def _blank(value):
    return "—" if value is None else value


def _verdict(k: dict) -> str:
    return VERDICT[k["met"]] if k.get("submitted", True) else "未报送"


def kpi_rows(report: dict) -> list[list]:
    return [[report["month"], k["site"], kpi_title(k), k["display"], k["numerator"], k["denominator"], k["in_transit"],
             k["target_display"], _verdict(k), _blank(k["previous"]), _blank(k["change"]), k["ytd_display"],
             clause_label(k["clause"]), clause_label(k["definition"])] for k in report["kpis"]]


def _ratio(value, shown: str = "—"):
    """A percentage figure as Excel holds it: 99.5 → 0.995 shown with a % format; no figure → the text shown."""
    return shown if value is None else value / 100


def kpi_rows_xlsx(report: dict) -> list[list]:
    """The CSV's rows with the percentages as numbers (实际值, 上月, 本年累计), for a % format."""
    rows = kpi_rows(report)
    for row, k in zip(rows, report["kpis"]):
        row[3], row[9], row[11] = _ratio(k["value"], k["display"]), _ratio(k["previous"]), _ratio(k["ytd"])
    return rows


KPI_FORMATS = {4: "0.0%", 10: "0.0%", 11: '+0.0;-0.0;0.0', 12: "0.0%"}


def _width(value) -> int:
    text = f"{value:.1%}" if isinstance(value, float) and value < 10 else str(value if value is not None else "")
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def report_csv(report: dict) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(KPI_HEADER)
    writer.writerows(_safe_rows(kpi_rows(report)))
    return buf.getvalue().encode("utf-8-sig")


def _sheet(wb, title: str, header: list[str], rows: list[list], first: bool = False,
           formats: dict[int, str] | None = None) -> None:
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append(header)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for c in ws[1]:
        c.font, c.fill = Font(bold=True), fill
    rows = _safe_rows(rows)
    for row in rows:
        ws.append(row)
    for col, fmt in (formats or {}).items():
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            if isinstance(cell.value, (int, float)):
                cell.number_format = fmt
    for i, name in enumerate(header, 1):
        widest = max([_width(name)] + [_width(r[i - 1]) for r in rows if i - 1 < len(r)])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(8, min(60, widest + 2))
    ws.freeze_panes = "A2"


def report_xlsx(report: dict, company: str) -> bytes:
    wb = Workbook()
    _sheet(wb, "考核指标", KPI_HEADER, kpi_rows_xlsx(report), first=True, formats=KPI_FORMATS)
    _sheet(wb, "业务量", ["月份", "管理处", "项目", "分项", "数值", "依据"],
           [[report["month"], c["site"], c["title"], c["category"] or "合计", c["value"], c["clause"]] for c in report["counts"]])
    carry_keys = [k for k in CARRY_LABELS if k != "completion_rate"]
    _sheet(wb, "跨月事项", ["月份", "管理处", "表单", *CARRY_LABELS.values()],
           [[report["month"], r["site"], r["title"], *[r[k] for k in carry_keys[:5]], r["completion_display"],
             *[r[k] for k in carry_keys[5:]]] for r in report["carryover"]])
    _sheet(wb, "超时未完成明细", ["管理处", "表单", "编号", "受理时间", "规定完成时间", "已超时天数", "责任部门"],
           [[o["site"], o["form_title"], o["no"], o["received_at"], o["due_at"], o["days_overdue"], o["department"]]
            for o in report["overdue"]])
    _sheet(wb, "报送情况", ["管理处", "已报送", "应报送", "缺报表单"],
           [[s["site"], s["submitted"], s["due"], "、".join(s["missing"])] for s in report["submissions"]])
    wb.properties.creator = company
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
