"""Templates clerks fill: CSV (UTF-8 with BOM, Chinese headers) and XLSX with drop-downs."""

from __future__ import annotations

import csv
import io


from .model import Form

TEMPLATE_ROWS = 1000
TYPE_LABELS = {"string": "文字", "integer": "整数", "number": "数字", "date": "日期",
               "datetime": "日期时间", "time": "时间", "boolean": "是/否"}
EXCEL_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "time": "hh:mm"}
EXAMPLES = {"date": "2026-11-05", "datetime": "2026-11-05 14:30", "time": "14:30", "boolean": "是 或 否"}


def csv_template(form: Form) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([f.label for f in form.fields])
    return buf.getvalue().encode("utf-8-sig")


HINT_SEP = "；"


def generated_hints(field) -> list[str]:
    """What the definition's own settings say about a field: choices, example, format, range."""
    parts = []
    if field.enum:
        parts.append("可选：" + "、".join(field.enum))
    if field.type in EXAMPLES:
        parts.append("如 " + EXAMPLES[field.type])
    if field.format == "mobile":
        parts.append("11位手机号")
    if field.format == "cn-id":
        parts.append("18位身份证号，末位可为X")
    if field.format == "room":
        parts.append("栋-单元-室，如 3-2-1102")
    if field.min is not None or field.max is not None:
        lo = "" if field.min is None else f"{field.min:g}"
        hi = "" if field.max is None else f"{field.max:g}"
        parts.append(f"范围 {lo}～{hi}")
    return parts


def field_hint(field) -> str:
    """The help shown for a field (form page, Excel 填写说明, validation messages): each fact once.

    A generated clause the author's help already says (“11位手机号” in “11位手机号（个人信息，不上网站）”)
    is left out, and no clause appears twice.
    """
    own = field.help or ""
    parts: list[str] = []
    for clause in [g for g in generated_hints(field) if g not in own] + own.split(HINT_SEP):
        clause = clause.strip()
        if clause and clause not in parts:
            parts.append(clause)
    return HINT_SEP.join(parts)


def xlsx_template(form: Form, company: str) -> bytes:
    # openpyxl takes 0.1 s to import; field_hint's users (every validation message) do not need it
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "填报"
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, field in enumerate(form.fields, 1):
        cell = ws.cell(row=1, column=col, value=field.label)
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(10, min(40, 6 * field.width + len(field.label) * 2))
        rng = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        values = field.enum or (["是", "否"] if field.type == "boolean" else None)
        if values:
            dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=not field.required,
                                showErrorMessage=True, errorTitle="取值不在可选范围内",
                                error="请从下拉列表中选择：" + "、".join(values))
            dv.promptTitle, dv.prompt, dv.showInputMessage = field.label, "请从下拉列表中选择", True
            dv.add(rng)
            ws.add_data_validation(dv)
        # A column style applies to every cell a clerk types into, without writing 1000 empty cells.
        if field.type in EXCEL_FORMATS:
            ws.column_dimensions[letter].number_format = EXCEL_FORMATS[field.type]
        elif field.type == "string":
            # Text columns stay text, so Excel keeps leading zeros and long numbers (身份证号) intact.
            ws.column_dimensions[letter].number_format = "@"
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30

    guide = wb.create_sheet("填写说明")
    guide.append([f"{company} · {form.number} {form.title}"])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append(["在“填报”工作表中每行填写一条记录，第1行表头不要修改；填好后在上传页面提交（CSV 或本文件均可）。"])
    guide.append([])
    guide.append(["列名", "类型", "必填", "填写要求", "个人信息"])
    for c in guide[4]:
        c.font, c.fill = Font(bold=True), head_fill
    for field in form.fields:
        guide.append([field.label, TYPE_LABELS[field.type] + (f"（{field.unit}）" if field.unit else ""),
                      "是" if field.required else "否", field_hint(field), "是" if field.personal else ""])
    if form.primary_key:
        guide.append([])
        guide.append(["同一份文件中以下列的组合不得重复：" + "、".join(form.field(k).label for k in form.primary_key)])
    for letter, width in zip("ABCDE", (16, 12, 6, 60, 8)):
        guide.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
