"""The rules a form declares between its columns (after:, closes_with:) point at columns that can carry them."""

from __future__ import annotations

from .model import Form

TIMES = ("date", "datetime")


def declaration_problems(form: Form) -> list[tuple[tuple, str]]:
    """(where in the YAML, Chinese detail) for each declaration that cannot work."""
    out = []
    for i, f in enumerate(form.fields):
        for k, target in enumerate(f.after):
            at = ("fields", i, "after", k) if len(f.after) > 1 else ("fields", i, "after")
            other = form.field(target)
            if other is None:
                out.append((at, f"栏目“{f.label}”的 after 写了“{target}”，本表没有这个字段 id。"))
            elif f.type not in TIMES or other.type != f.type:
                out.append((at, f"栏目“{f.label}”（{f.type}）不能与“{other.label}”（{other.type}）比较先后："
                                    "after 只用于同为日期或同为日期时间的两栏。"))
        for other_id, values in f.required_when.items():
            other = form.field(other_id)
            if other is None:
                out.append((("fields", i, "required_when", other_id), f"栏目“{f.label}”的 required_when 写了“{other_id}”，本表没有这个字段 id。"))
                continue
            allowed = other.enum or (["是", "否"] if other.type == "boolean" else None)
            for value in values:
                if allowed is not None and value not in allowed:
                    out.append((("fields", i, "required_when", other_id), f"栏目“{f.label}”的 required_when 写了“{other.label}”为“{value}”，"
                                       f"不在它的可选值（{'、'.join(allowed)}）中。"))
        c = f.closes_with
        if c is None:
            continue
        done = form.field(c.field)
        if done is None:
            out.append((("fields", i, "closes_with", "field"), f"栏目“{f.label}”的 closes_with 写了“{c.field}”，本表没有这个字段 id。"))
        elif done.type not in TIMES:
            out.append((("fields", i, "closes_with", "field"), f"栏目“{f.label}”的 closes_with 应指向日期或日期时间栏目，“{done.label}”是 {done.type}。"))
        states = set(f.enum or [])
        for state in [*c.closed, *(c.needs_time or [])]:
            if state not in states:
                out.append((("fields", i, "closes_with"), f"栏目“{f.label}”的 closes_with 写了状态“{state}”，不在它的可选值"
                                           f"（{'、'.join(f.enum or []) or '无'}）中。"))
        if not set(c.timed) <= set(c.closed):
            out.append((("fields", i, "closes_with", "needs_time"), f"栏目“{f.label}”：needs_time 只能列 closed 中的状态。"))
    return out
