"""One catalogue of the Chinese messages users see, keyed by error code.

Like frictionless' error classes: each problem kind is a small declarative
class with a code, a title and a message template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class HandbookError:
    code = "handbook-error"
    title = "错误"
    template = "{detail}"


class YamlSyntax(HandbookError):
    code = "yaml-syntax"
    title = "YAML 语法错误"
    template = "YAML 语法错误：{detail}。请检查缩进、冒号和引号。"


class NotAMapping(HandbookError):
    code = "not-a-mapping"
    title = "文件内容不是字段表"
    template = "文件最外层应是“字段: 值”的形式，现在是{actual}。"


class MissingField(HandbookError):
    code = "missing-field"
    title = "缺少字段"
    template = "缺少必填字段“{field}”，请补上。"


class UnknownField(HandbookError):
    code = "unknown-field"
    title = "未知字段"
    template = "不认识的字段“{field}”，请检查拼写（可用字段见 procedures/README.md）。"


class BadValue(HandbookError):
    code = "bad-value"
    title = "取值不合法"
    template = "字段“{field}”的值“{value}”不合法：{reason}。"


class BadChoice(HandbookError):
    code = "bad-choice"
    title = "取值不在可选范围内"
    template = "字段“{field}”的值“{value}”不在可选范围内，应为：{choices}。"


class MissingForKind(HandbookError):
    code = "missing-for-kind"
    title = "缺少该类条目必需的内容"
    template = "{kind_label}条目必须有“{field}”。"


class ChapterMismatch(HandbookError):
    code = "chapter-mismatch"
    title = "章节号与文件名不符"
    template = "章节号“{chapter}”与文件名不符，文件名应以“{chapter}-”开头，后接英文短名（如 {chapter}-duty-handover.yml）。"


class BadFileName(HandbookError):
    code = "bad-file-name"
    title = "文件名不合规范"
    template = "文件名应为“章节号-英文短名.yml”（只用小写字母、数字和连字符），例如 3.1-duty-handover.yml。"


class DuplicateChapter(HandbookError):
    code = "duplicate-chapter"
    title = "章节号重复"
    template = "章节号“{chapter}”已在 {other} 中使用，每个章节号只能有一个文件。"


class DuplicateClause(HandbookError):
    code = "duplicate-clause"
    title = "条款编号重复"
    template = "条款编号“{clause}”在本章出现了两次；请用 id 字段给其中一条指定不同的稳定编号。"


class UnknownRole(HandbookError):
    code = "unknown-role"
    title = "岗位不存在"
    template = "岗位“{role}”不在 organisation.yml 的 roles 列表中，可选：{choices}。"


class UnknownCategory(HandbookError):
    code = "unknown-category"
    title = "类别不存在"
    template = "类别“{category}”不在 organisation.yml 的 categories 列表中，可选：{choices}。"


class BrokenReference(HandbookError):
    code = "broken-reference"
    title = "引用的章节或条款不存在"
    template = "条款 {clause} 引用了“[[{target}]]”，但{what}不存在。"


class NoProcedures(HandbookError):
    code = "no-procedures"
    title = "没有手册条目"
    template = "目录 {path} 中没有任何 .yml 手册条目。"


class OrganisationInvalid(HandbookError):
    code = "organisation-invalid"
    title = "组织设置有误"
    template = "组织设置文件有误：{detail}"


class FileUnreadable(HandbookError):
    code = "file-unreadable"
    title = "文件无法读取"
    template = "无法读取文件：{detail}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a source file, located by file and line."""

    error: type[HandbookError]
    path: Path | None
    line: int | None = None
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return self.error.template.format(**self.params)

    def location(self, root: Path | None = None) -> str:
        if self.path is None:
            return ""
        path = self.path
        if root is not None:
            try:
                path = self.path.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        return f"{path}:{self.line}" if self.line else str(path)

    def render(self, root: Path | None = None) -> str:
        where = self.location(root)
        return f"{where}: {self.message}" if where else self.message


class ProblemsFound(Exception):
    """Raised when sources are invalid; carries every problem, not just the first."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems

    def report(self, root: Path | None = None) -> str:
        lines = [f"发现 {len(self.problems)} 处问题："]
        lines += [f"  {p.render(root)}" for p in self.problems]
        return "\n".join(lines)
