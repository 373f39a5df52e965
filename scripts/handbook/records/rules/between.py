"""Rules across the columns of one row, switched on by the form YAML (never by a column's id):

- `after: [received_at]` on a time column: it may not be earlier than those columns (3.19#4.6.2 B);
- `closes_with: {field: completed_at, closed: [...], needs_time: [...]}` on a status column: a closed
  record has its time, and a filled time means the record is closed (3.19#4.1.4);
- `required_when: {valid: [否]}`: the column must be filled when another holds one of those values.
"""

from __future__ import annotations

from .base import RowRule
from .types import q


class TimeOrder(RowRule):
    code = "time-order"
    title = "时间先后不对"
    template = "{where}的“{value}”早于“{other_field}”（{other_value}）。请核对两个时间（3.19#4.6.2）。"

    @classmethod
    def bind(cls, form):
        return [cls(form, later=f, earlier=form.field(b)) for f in form.fields for b in f.after]

    def fields(self):
        return [self.later, self.earlier]

    def test(self, values, texts):
        a, b = values[self.later.id], values[self.earlier.id]
        if a is None or b is None or not a < b:
            return None
        return self.later, {"other_field": self.earlier.label, "other_value": texts[self.earlier.id]}

    def sql(self, v, c):
        return f"({v(self.later)}) < ({v(self.earlier)})"


def _closing(form):
    for status in form.fields:
        if status.closes_with is not None:
            yield status, form.field(status.closes_with.field), status.closes_with


class StatusNeedsTime(RowRule):
    code = "status-needs-time"
    title = "状态与完成时间不符"
    template = "{where}：状态为“{status}”，但“{time_field}”是空的。请填写{time_field}（3.19#4.6.2）。"
    where_column = False

    @classmethod
    def bind(cls, form):
        return [cls(form, status=s, done=d, states=c.timed) for s, d, c in _closing(form)]

    def fields(self):
        return [self.status, self.done]

    def test(self, values, texts):
        state = values[self.status.id]
        if state in self.states and values[self.done.id] is None:
            return self.done, {"status": state, "time_field": self.done.label}
        return None

    def sql(self, v, c):
        return f"{v(self.status)} IN ({', '.join(map(q, self.states))}) AND ({v(self.done)}) IS NULL"


class TimeNeedsStatus(RowRule):
    code = "time-needs-status"
    title = "状态与完成时间不符"
    template = ("{where}：已填写“{time_field}”（{value}），但状态为“{status}”。请把状态改为{closed}，"
                "或删去{time_field}（3.19#4.6.2）。")
    where_column = False

    @classmethod
    def bind(cls, form):
        return [cls(form, status=s, done=d, closed=c.closed) for s, d, c in _closing(form)]

    def fields(self):
        return [self.status, self.done]

    def test(self, values, texts):
        state = values[self.status.id]
        if state is not None and state not in self.closed and values[self.done.id] is not None:
            return self.done, {"status": state, "time_field": self.done.label,
                               "closed": "或".join(f"“{s}”" for s in self.closed)}
        return None

    def sql(self, v, c):
        return (f"({v(self.status)}) IS NOT NULL AND {v(self.status)} NOT IN ({', '.join(map(q, self.closed))}) "
                f"AND ({v(self.done)}) IS NOT NULL")


class RequiredWhen(RowRule):
    code = "required-when"
    title = "按规定须填写的栏目为空"
    template = "{where}：“{other_field}”为“{other_value}”，须填写“{field}”。{fix}"
    where_column = False

    @classmethod
    def bind(cls, form):
        return [cls(form, field=f, other=form.field(o), values=vals)
                for f in form.fields for o, vals in f.required_when.items()]

    def fields(self):
        return [self.field, self.other]

    def test(self, values, texts):
        if texts[self.field.id] == "" and texts[self.other.id] in self.values:
            fix = f"填写要求：{self.field.help}" if self.field.help else ""
            return self.field, {"other_field": self.other.label, "other_value": texts[self.other.id],
                                "field": self.field.label, "fix": fix}
        return None

    def sql(self, v, c):
        return f"{c(self.field)} = '' AND {c(self.other)} IN ({', '.join(map(q, self.values))})"
