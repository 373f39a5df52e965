"""The form definition format (see forms/README.md)."""

from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import Field, PrivateAttr, field_validator, model_validator

from ..model import FORM_ID_PATTERN, VERSION_PATTERN, Controlled, Revision, Strict

CLAUSE_REF = r"^\d+\.\d+(#[0-9A-Za-z.\-]+)?$"
FieldType = Literal["string", "integer", "number", "date", "datetime", "time", "boolean"]


class ClosesWith(Strict):
    """On a status column: the time column that closes the record (3.19#4.1.4, 4.6.2 B)."""

    field: str
    closed: list[str] = Field(default_factory=lambda: ["已完成", "已取消"])    # states in which it is closed
    needs_time: Optional[list[str]] = None      # closed states that need the time; default: all of them

    @property
    def timed(self) -> list[str]:
        return self.closed if self.needs_time is None else self.needs_time


class FormField(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=20)
    type: FieldType = "string"
    required: bool = False
    enum: Optional[list[str]] = None
    pattern: Optional[str] = None
    min: Optional[float] = None
    max: Optional[float] = None
    unit: Optional[str] = None
    format: Optional[Literal["mobile", "cn-id", "room"]] = None
    personal: bool = False
    help: Optional[str] = None
    width: int = Field(2, ge=1, le=6)
    after: list[str] = []                   # field ids this time may not be earlier than (3.19#4.6.2 B)
    required_when: dict[str, list[str]] = {}    # required when another column holds one of these values
    closes_with: Optional[ClosesWith] = None

    @property
    def phone(self) -> bool:
        """A telephone column: its numbers are tidied (spaces, +86) before they are checked."""
        return self.format == "mobile" or bool(self.pattern and "1[3-9]" in self.pattern)

    @field_validator("after", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _consistent(self):
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"bad-pattern:{exc}")
        if self.enum is not None and self.type != "string":
            raise ValueError("enum-needs-string")
        if (self.min is not None or self.max is not None) and self.type not in ("integer", "number"):
            raise ValueError("range-needs-number")
        return self


class Paper(Strict):
    orientation: Literal["portrait", "landscape"] = "portrait"
    rows: int = Field(0, ge=0, le=60)
    pages: int = Field(1, ge=1, le=10)
    signatures: list[str] = []
    notes: list[str] = []


class Checklist(Strict):
    from_: list[str] = Field(alias="from", min_length=1)
    split: Optional[str] = None
    columns: list[str] = ["是", "否", "备注"]

    model_config = Strict.model_config | {"populate_by_name": True}


class Form(Controlled):
    id: str = Field(pattern=FORM_ID_PATTERN)
    number: str = Field(pattern=r"^[A-Z]{2,4}-\d+\.\d+-\d{2}$")
    title: str = Field(min_length=1)
    kind: Literal["record", "form", "checklist"]
    procedure: str = Field(pattern=CLAUSE_REF)
    version: str = Field("0/1", pattern=VERSION_PATTERN)
    revisions: list[Revision] = []          # 修订记录: a row for each review and approval (handbook approve)
    description: Optional[str] = None
    statistics: Optional[str] = Field(None, pattern=CLAUSE_REF)
    due: Literal["monthly", "pool", "none"] = "none"
    fields: list[FormField] = []
    primary_key: list[str] = []
    paper: Paper = Field(default_factory=Paper)
    body: Optional[str] = None
    checklist: Optional[Checklist] = None

    _source: str = PrivateAttr("")
    _items: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="after")
    def _kind_rules(self):
        if self.kind in ("record", "form") and not self.fields:
            raise ValueError("missing-for-kind:fields")
        if self.kind == "record" and not self.primary_key:
            raise ValueError("missing-for-kind:primary_key")
        if self.kind == "checklist" and self.checklist is None:
            raise ValueError("missing-for-kind:checklist")
        return self

    @property
    def source(self) -> str:
        return self._source

    @property
    def effective(self) -> Optional[str]:
        """生效日期: the date this version was approved (its 批准发布 row); None while it is not 现行."""
        if not self.is_current:
            return None
        rows = [r.date for r in self.revisions if r.version == self.version]
        return rows[-1] if rows else (self.approved.date if self.approved else None)

    @property
    def chapter(self) -> str:
        return self.procedure.split("#")[0]

    @property
    def items(self) -> list[str]:
        """Checklist items, generated from procedure clauses by the loader."""
        return self._items

    @property
    def is_record(self) -> bool:
        return self.kind == "record"

    def field(self, field_id: str) -> Optional[FormField]:
        return next((f for f in self.fields if f.id == field_id), None)

    def by_label(self) -> dict[str, FormField]:
        return {f.label: f for f in self.fields}
