"""Shape problems: a pydantic validation error said in Chinese, with the field's name and a hint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import messages as m
from .model import KIND_LABELS

FIELD_LABELS = {
    "chapter": "章节号", "title": "标题", "toc_title": "目录名称", "subject": "主题",
    "category": "类别", "kind": "条目类型", "version": "版本", "revision": "修订",
    "issued": "发布日期", "effective": "生效日期", "status": "状态", "owner": "负责岗位",
    "revisions": "修订记录", "purpose": "目的", "scope": "适用范围",
    "responsibilities": "职责", "procedure": "程序", "records": "记录",
    "duties": "职责列表", "rules": "规范条文", "org": "结构图", "text": "条文",
    "n": "编号", "form": "表单编号", "date": "日期", "change": "修改内容",
    "number": "表单编号", "fields": "栏目", "label": "中文列名", "type": "类型",
    "primary_key": "主键", "paper": "打印设置", "checklist": "检查表", "id": "编号",
    "required": "必填", "enum": "可选值", "pattern": "格式", "min": "最小值", "max": "最大值",
    "due": "报送要求", "statistics": "统计依据", "personal": "个人信息",
    "prepared": "编制", "reviewed": "审核", "approved": "批准", "name": "姓名",
}


VALUE_ERRORS = {
    "bad-pattern": "正则表达式写错了",
    "enum-needs-string": "只有文字（string）栏目可以设可选值",
    "range-needs-number": "只有数字（integer/number）栏目可以设最小值、最大值",
}


def _field_label(loc: tuple) -> str:
    parts = []
    for key in loc:
        if isinstance(key, int):
            parts.append(f"第{key + 1}项")
        else:
            parts.append(FIELD_LABELS.get(key, key) + (f"（{key}）" if key in FIELD_LABELS else ""))
    return " → ".join(parts) or "文件"


def problem_from_pydantic(path: Path, tree, err: dict[str, Any]) -> m.Problem:
    """One pydantic validation error as a Chinese problem at its line (tree: the file's SourceTree)."""
    loc = tuple(k for k in err["loc"] if k not in ("function-after",))
    line = tree.line(*loc)
    etype = err["type"]
    label = _field_label(loc)
    value = err.get("input")
    if etype == "missing":
        return m.Problem(m.MissingField, path, line, {"field": label})
    if etype == "extra_forbidden":
        return m.Problem(m.UnknownField, path, line, {"field": label})
    if etype in ("literal_error", "enum"):
        expected = err.get("ctx", {}).get("expected", "")
        return m.Problem(m.BadChoice, path, line, {"field": label, "value": value, "choices": expected.replace("'", "").replace(" or ", "、").replace(", ", "、")})
    msg = err.get("msg", "")
    if etype == "value_error" and "missing-for-kind:" in msg:
        fields = msg.split("missing-for-kind:")[1].split(",")
        kind = value.get("kind") if isinstance(value, dict) else ""
        names = "、".join(f"{FIELD_LABELS.get(f, f)}（{f}）" for f in fields)
        return m.Problem(m.MissingForKind, path, line, {"kind_label": KIND_LABELS.get(kind, kind), "field": names})
    if etype == "value_error":
        for code, reason in VALUE_ERRORS.items():
            if code in msg:
                return m.Problem(m.BadValue, path, line, {"field": label, "value": "…", "reason": reason})
    reasons = {
        "string_pattern_mismatch": "格式不对" + _pattern_hint(loc),
        "string_type": "应为文字",
        "string_too_short": "不能为空",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "greater_than_equal": "不能为负数",
        "list_type": "应为列表（每项以“- ”开头）",
        "too_short": "至少需要一项",
        "model_type": "应为“字段: 值”的形式",
        "bool_type": "应为 true 或 false",
        "dict_type": "应为“字段: 值”的形式",
    }
    reason = reasons.get(etype, err.get("msg", "取值不合法"))
    if etype == "string_type" and isinstance(value, bool):
        reason = "YAML 把 no、yes、on、off 读成了是/否，请给这个值加引号，例如 \"no\""
    shown = value if not isinstance(value, (dict, list)) else "…"
    return m.Problem(m.BadValue, path, line, {"field": label, "value": shown, "reason": reason})


def _pattern_hint(loc: tuple) -> str:
    last = loc[-1] if loc else ""
    return {
        "chapter": "，应写成带引号的“3.1”形式",
        "issued": "，应为 YYYY、YYYY-MM 或 YYYY-MM-DD",
        "effective": "，应为 YYYY、YYYY-MM 或 YYYY-MM-DD",
        "date": "，应为 YYYY、YYYY-MM 或 YYYY-MM-DD",
        "version": "，应写成“1/0”",
        "form": "，表单编号只用小写英文字母、数字和连字符，如 handover-log",
        "id": "，只用字母、数字、点和连字符",
    }.get(last, "")
