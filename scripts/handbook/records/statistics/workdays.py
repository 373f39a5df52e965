"""Working days (3.19#4.1.2): Monday to Friday, adjusted by the official holiday schedule in data/workdays.yml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from ...loader import FAST_LOADER

WORKDAYS_FILE = Path("data/workdays.yml")


class Calendar:
    def __init__(self, holidays: set[dt.date] = frozenset(), workdays: set[dt.date] = frozenset(), years: set[int] = frozenset()):
        self.holidays, self.workdays, self.years = set(holidays), set(workdays), set(years)
        self.uncovered: set[int] = set()     # years asked about but not in the file

    @classmethod
    def load(cls, path: Path) -> "Calendar":
        """The calendar; WorkdaysInvalid (Chinese, with line numbers) when the file is not well formed."""
        if not Path(path).exists():
            return cls()
        errors, _ = problems(Path(path))
        if errors:
            raise WorkdaysInvalid(Path(path), errors)
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=FAST_LOADER) or {}
        holidays, workdays = set(), set()
        for year, spec in data.items():
            holidays |= _dates(spec.get("holidays", []))
            workdays |= _dates(spec.get("workdays", []))
        return cls(holidays, workdays, {int(y) for y in data})

    def is_workday(self, day: dt.date) -> bool:
        if day.year not in self.years:
            self.uncovered.add(day.year)
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def covers(self, first: dt.date, last: dt.date) -> bool:
        """Every year from first to last has its holiday table (otherwise working days are Monday–Friday)."""
        return all(year in self.years for year in range(first.year, last.year + 1))

    def nth_workday_after(self, day: dt.date, n: int) -> dt.date:
        count = 0
        while count < n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return day


def _dates(items) -> set[dt.date]:
    out = set()
    for item in items:
        start, _, end = str(item).partition("/")
        a = dt.date.fromisoformat(start)
        b = dt.date.fromisoformat(end) if end else a
        while a <= b:
            out.add(a)
            a += dt.timedelta(days=1)
    return out


class WorkdaysInvalid(Exception):
    def __init__(self, path: Path, errors: list[str]):
        super().__init__("\n".join(errors))
        self.path, self.errors = path, errors

    def report(self) -> str:
        return f"节假日表 {self.path.name} 有误，统计无法计算工作日：\n" + "\n".join("  " + e for e in self.errors)


def problems(path: Path, today: dt.date | None = None) -> tuple[list[str], list[str]]:
    """(errors, warnings) of data/workdays.yml, each with its line. Errors: not YAML, a year that is not a
    year, a date that does not exist or lies outside its year, a range written backwards, a day listed
    twice or as both 放假 and 调休上班. Warning: from 1 December, next year's table is missing (its
    working-day deadlines would count Monday–Friday, 暂按周一至周五)."""
    name = Path(path).name
    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{name}：无法读取（{exc}）"], []
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        return [f"{name} 第{line}行：不是有效的 YAML（{getattr(exc, 'problem', exc)}）"], []
    errors: list[str] = []
    years: set[int] = set()
    if root is None:
        return errors, _next_year_warning(name, years, today)
    if not isinstance(root, yaml.MappingNode):
        return [f"{name} 第{root.start_mark.line + 1}行：应按年份分组（如 \"2026\": {{holidays: […], workdays: […]}}）"], []
    seen: dict[dt.date, str] = {}
    for key, spec in root.value:
        at = f"{name} 第{key.start_mark.line + 1}行"
        if not (isinstance(key, yaml.ScalarNode) and str(key.value).isdigit() and len(str(key.value)) == 4):
            errors.append(f"{at}：“{key.value}”不是年份（应写四位数字，如 \"2027\"）")
            continue
        year = int(key.value)
        if year in years:
            errors.append(f"{at}：{year} 年写了两次")
        years.add(year)
        if not isinstance(spec, yaml.MappingNode):
            errors.append(f"{at}：{year} 年下面应有 holidays 和 workdays 两个列表")
            continue
        for kind_node, items in spec.value:
            kind = kind_node.value
            kat = f"{name} 第{kind_node.start_mark.line + 1}行"
            if kind not in ("holidays", "workdays"):
                errors.append(f"{kat}：“{kind}”不是 holidays（放假）或 workdays（调休上班）")
                continue
            if not isinstance(items, yaml.SequenceNode):
                errors.append(f"{kat}：{kind} 应是日期列表")
                continue
            for item in items.value:
                iat = f"{name} 第{item.start_mark.line + 1}行"
                text = str(getattr(item, "value", ""))
                start, _, end = text.partition("/")
                try:
                    a = dt.date.fromisoformat(start)
                    b = dt.date.fromisoformat(end) if end else a
                except ValueError:
                    errors.append(f"{iat}：“{text}”不是存在的日期（写作 2027-01-01，区间写作 起/止）")
                    continue
                if b < a:
                    errors.append(f"{iat}：区间“{text}”的起日晚于止日")
                    continue
                if a.year != year or b.year != year:
                    errors.append(f"{iat}：“{text}”不在 {year} 年内")
                    continue
                word = "放假" if kind == "holidays" else "调休上班"
                while a <= b:
                    if a in seen:
                        errors.append(f"{iat}：{a.isoformat()} 已在前面列为{seen[a]}，同一天只能写一次")
                        break
                    seen[a] = word
                    a += dt.timedelta(days=1)
    return errors, _next_year_warning(name, years, today)


def _next_year_warning(name: str, years: set[int], today: dt.date | None) -> list[str]:
    today = today or dt.date.today()
    if today.month == 12 and today.year + 1 not in years:
        return [f"{name}：还没有 {today.year + 1} 年的节假日安排。国务院办公厅公布后请及时补录；补录前，"
                f"截止日落在 {today.year + 1} 年的工作日时限暂按周一至周五计算，报表中标注“暂按周一至周五”。"]
    return []
