"""Problems inside a usable table that are not a rule's finding (exit code 1): the header row and cells beyond it.

The cell, key and between-column rules carry their own messages in records/rules/; these are the rest.
"""

from .base import HandbookError


class RecordExtraCell(HandbookError):
    code = "extra-cell"
    title = "表头之外多填了内容"
    template = "第{row}行在最后一个栏目之后还填了“{value}”。请删除，或移到正确的栏目。"


class RecordMissingLabel(HandbookError):
    code = "missing-label"
    title = "缺少栏目"
    template = "表头（第1行）缺少“{field}”列。请使用网站上下载的最新模板，不要删除或改名栏目。"


class RecordExtraLabel(HandbookError):
    code = "extra-label"
    title = "多出的栏目"
    template = "表头（第1行）第{col}列的“{value}”不是本表的栏目，且该列填有内容。请删除该列，或把列名改为本表的栏目：{choices}。"


class RecordDuplicateLabel(HandbookError):
    code = "duplicate-label"
    title = "栏目重复"
    template = "表头（第1行）中“{field}”出现了不止一次（第{cols}列）。请删除重复的列。"


class RecordTooManyErrors(HandbookError):
    code = "too-many-errors"
    title = "问题太多"
    template = "问题太多，只列出了前 {limit} 处。请先改正这些问题后再校验。"
