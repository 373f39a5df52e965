"""Rules over the whole table: the record number is unique (3.19#4.1.3); a kept row has some content."""

from __future__ import annotations

from .base import Rule


class DuplicateKey(Rule):
    code = "primary-key"
    kind = "primary-key"
    title = "编号重复"
    template = "{where}的“{value}”与第{other}行重复。同一管理处同一张表内{key}不得重号（3.19#4.1.3），请改正。"


class BlankRow(Rule):
    code = "blank-row"
    kind = "blank-row"
    title = "空行"
    template = "{where}在本表的栏目里没有填写任何内容（只在表头以外的列里有内容）。请删除这一行，或把内容移到正确的栏目。"
    where_column = False
