"""The handbook's data model: one Procedure per YAML file, clauses nested inside.

The pydantic classes define the file format (see procedures/README.md); the
plain properties below derive what publishers need (stable ids, order, URLs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from .organisation import Organisation

DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
CHAPTER_PATTERN = r"^\d+\.\d+$"
FORM_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
VERSION_PATTERN = r"^\d+/\d+$"
REFERENCE = re.compile(r"\[\[(\d+\.\d+)(?:#([^\]\s]+))?\]\]")

KIND_LABELS = {"orgchart": "组织结构图", "duties": "岗位职责", "norms": "办公规范", "sop": "业务规程"}
# For each kind, the body fields it must have.
KIND_REQUIRES = {
    "orgchart": ("org",),
    "duties": ("duties",),
    "norms": ("rules",),
    "sop": ("purpose", "scope", "responsibilities", "procedure", "records"),
}
# Document control: a chapter or form is drafted (草案), submitted and reviewed (待审), approved (现行),
# and finally withdrawn (作废). `handbook approve` records each step; see document_control.py.
Status = Literal["草案", "待审", "现行", "作废"]
# The body fields that hold clauses, in reading order.
CLAUSE_FIELDS = ("duties", "rules", "responsibilities", "procedure")
# Section headings of an SOP body, numbered as in the seed (1.0 目的 …).
SOP_SECTIONS = {"purpose": "目的", "scope": "适用范围", "responsibilities": "职责", "records": "记录"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


class Clause(Strict):
    n: Optional[str] = Field(None, min_length=1)
    id: Optional[str] = Field(None, pattern=r"^[0-9A-Za-z.\-]+$")
    text: str = Field(min_length=1)
    # 校注: how the transcription read the source here (a doubled character undone, a doubt). It is for
    # whoever checks the transcription, not reading text: published on the 校勘记 page, marked at the clause.
    note: Optional[str] = None
    # 待修订: why this clause must be revised before it is relied on (a seed clause that conflicts with the law
    # or with the drafts is kept as printed, with this note). Unlike a 校注 it is reading text: shown at the clause.
    review: Optional[str] = Field(None, min_length=1)
    # 草案: text still being written; a 现行 chapter may not have any (document_control.check_chapter_control).
    draft: bool = False
    # 补写: text added to the chapter in this version (e.g. "1/1": text the seed lacks, submitted with the
    # chapter's 1/1). Not a draft: it is reviewed and approved with that version, and stays marked as an addition.
    added: Optional[str] = Field(None, pattern=VERSION_PATTERN)
    flow: Optional[list[str]] = None
    children: list["Clause"] = []

    _sid: str = PrivateAttr("")

    @property
    def sid(self) -> str:
        """Stable id within the chapter, e.g. 4.1.3.A (see assign_ids)."""
        return self._sid

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class Signoff(Strict):
    """One signature of document control (编制, 审核 or 批准): who and when. Unknown until signed."""

    name: str = Field(min_length=1, max_length=20)
    date: str = Field(pattern=DATE_PATTERN)

    @property
    def label(self) -> str:
        return f"{self.name} {self.date}"


class Controlled(Strict):
    """What chapters and forms share: a status in the workflow and the three signatures."""

    status: Status = "草案"
    prepared: Optional[Signoff] = None      # 编制
    reviewed: Optional[Signoff] = None      # 审核
    approved: Optional[Signoff] = None      # 批准

    @property
    def is_draft(self) -> bool:
        """Not approved yet (草案 or 待审): pages say so in a banner."""
        return self.status in ("草案", "待审")

    @property
    def is_current(self) -> bool:
        return self.status == "现行"

    def signoffs(self) -> list[tuple[str, Optional[Signoff]]]:
        return [("编制", self.prepared), ("审核", self.reviewed), ("批准", self.approved)]


def version_key(label: str) -> tuple[int, int]:
    """"1/10" → (1, 10): versions compare as numbers."""
    major, _, minor = label.partition("/")
    return int(major), int(minor)


class Revision(Strict):
    version: str = Field(pattern=VERSION_PATTERN)
    date: str = Field(pattern=DATE_PATTERN)
    change: str = Field(min_length=1)


class OrgNode(Strict):
    role: str = Field(min_length=1)
    children: list["OrgNode"] = []


class Procedure(Controlled):
    chapter: str = Field(pattern=CHAPTER_PATTERN)
    title: str = Field(min_length=1)
    toc_title: Optional[str] = None
    subject: Optional[str] = None
    category: str
    kind: Literal["orgchart", "duties", "norms", "sop"]
    version: int = Field(ge=0)
    revision: int = Field(ge=0)
    issued: str = Field(pattern=DATE_PATTERN)
    effective: Optional[str] = Field(None, pattern=DATE_PATTERN)
    status: Status
    owner: str
    note: Optional[str] = None          # 说明 shown to readers (a draft says so here)
    collation: Optional[str] = None     # 校注 on the chapter as a whole (how its header was printed …)
    incomplete: Optional[str] = None
    keywords: list[str] = []
    revisions: list[Revision] = Field(min_length=1)

    org: Optional[OrgNode] = None
    duties: Optional[list[Clause]] = None
    rules: Optional[list[Clause]] = None
    purpose: Optional[str] = None
    scope: Optional[str] = None
    responsibilities: Optional[list[Clause]] = None
    procedure_title: str = "程序"
    procedure: Optional[list[Clause]] = None
    records: Optional[list[Annotated[str, Field(pattern=FORM_ID_PATTERN)]]] = None

    # Set by the loader: where the file is and what git says about it.
    _slug: str = PrivateAttr("")
    _source: str = PrivateAttr("")
    _last_changed: Optional[str] = PrivateAttr(None)

    @model_validator(mode="after")
    def _body_matches_kind(self):
        missing = [f for f in KIND_REQUIRES[self.kind] if getattr(self, f) is None]
        if missing:
            raise ValueError("missing-for-kind:" + ",".join(missing))
        assign_ids(self.clauses_top())
        return self

    # ----- derived -----
    @property
    def slug(self) -> str:
        return self._slug

    @property
    def source(self) -> str:
        return self._source

    @property
    def last_changed(self) -> Optional[str]:
        return self._last_changed

    @property
    def key(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.chapter.split("."))

    @property
    def name(self) -> str:
        """The 目录 entry."""
        return self.toc_title or self.title

    @property
    def header_subject(self) -> str:
        return self.subject or f"{self.category}之{self.name}"

    @property
    def version_label(self) -> str:
        return f"{self.version}/{self.revision}"

    @property
    def page_path(self) -> str:
        return f"handbook/{self.chapter}-{self.slug}.md"

    def addition_approved(self, clause: Clause) -> bool:
        """A 补写 clause is approved with the version that added it: this one once 现行, or an earlier one."""
        return clause.added is not None and (
            self.is_current or version_key(clause.added) < version_key(self.version_label))

    def clauses_top(self) -> list[Clause]:
        out: list[Clause] = []
        for f in CLAUSE_FIELDS:
            out += getattr(self, f) or []
        return out

    def clause_locations(self):
        """(where in the YAML document, clause) for every clause in reading order, e.g.
        (("procedure", 0, "children", 2), clause): problems are located by it in the node tree."""
        def walk(clause: Clause, loc: tuple):
            yield loc, clause
            for i, child in enumerate(clause.children):
                yield from walk(child, (*loc, "children", i))
        for f in CLAUSE_FIELDS:
            for i, top in enumerate(getattr(self, f) or []):
                yield from walk(top, (f, i))

    def clauses(self):
        for top in self.clauses_top():
            yield from top.walk()

    def clause(self, sid: str) -> Optional[Clause]:
        return next((c for c in self.clauses() if c.sid == sid), None)

    def collation_notes(self) -> list["CollationNote"]:
        """Every 校注 of this chapter in reading order: the chapter's own first, then each clause's."""
        notes = [CollationNote(self.chapter, self.collation)] if self.collation else []
        for clause in self.clauses():
            if clause.note:
                notes.append(CollationNote(self.chapter, clause.note, clause, len(notes)))
        return notes


@dataclass(frozen=True, eq=False)
class CollationNote:
    """A 校注: a transcription note on a whole chapter (clause None) or on one of its clauses."""

    chapter: str
    text: str
    clause: Optional[Clause] = None
    index: int = 0         # position among the chapter's notes (names notes on unnumbered paragraphs)

    @property
    def sid(self) -> str:
        return self.clause.sid if self.clause else ""

    @property
    def key(self) -> str:
        """Unique within the handbook: 3.1, 3.1-4.1.2 (3.1-p5 for an unnumbered paragraph)."""
        if self.clause is None:
            return self.chapter
        return f"{self.chapter}-{self.sid}" if self.sid else f"{self.chapter}-p{self.index}"


def _label_core(n: str) -> str:
    return n.strip().strip("()（）.、").strip()


def assign_ids(clauses: list[Clause], parent: str = "") -> None:
    """Give each clause its stable id: dotted numbers are ids themselves,
    letters and (1)-style items hang off their parent (4.1.3.A, 21.1)."""
    for c in clauses:
        if c.id:
            c._sid = c.id
        elif c.n and re.fullmatch(r"\d+(\.\d+)*", c.n.rstrip(".")):
            c._sid = c.n.rstrip(".")
        elif c.n:
            core = _label_core(c.n)
            c._sid = f"{parent}.{core}" if parent else core
        else:
            c._sid = ""
        assign_ids(c.children, c._sid or parent)


@dataclass
class Handbook:
    """The validated handbook: organisation settings plus procedures in 目录 order."""

    root: Path
    organisation: Organisation
    procedures: list[Procedure]
    forms: list = field(default_factory=list)
    by_chapter: dict[str, Procedure] = field(default_factory=dict)
    form_by_id: dict = field(default_factory=dict)

    def __post_init__(self):
        self.procedures.sort(key=lambda p: p.key)
        self.by_chapter = {p.chapter: p for p in self.procedures}
        self.forms.sort(key=lambda f: (tuple(int(x) for x in f.chapter.split(".")), f.number))
        self.form_by_id = {f.id: f for f in self.forms}

    def record_forms(self) -> list:
        return [f for f in self.forms if f.is_record]

    def procedures_using(self, form) -> list[Procedure]:
        """The owning procedure first, then every other procedure that keeps this record."""
        owner = self.by_chapter.get(form.chapter)
        users = [p for p in self.procedures if form.id in (p.records or []) and p is not owner]
        return ([owner] if owner else []) + users

    def by_category(self) -> list[tuple[str, list[Procedure]]]:
        return [
            (cat, [p for p in self.procedures if p.category == cat])
            for cat in self.organisation.categories
            if any(p.category == cat for p in self.procedures)
        ]

    def resolve(self, chapter: str, clause: Optional[str] = None):
        proc = self.by_chapter.get(chapter)
        if proc is None or clause is None:
            return proc, None
        return proc, proc.clause(clause)

