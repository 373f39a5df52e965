"""Large UTF-8 CSV files straight into DuckDB, normalised exactly as normalize.py does.

DuckDB parses the file; Python only sees the header, and the few rows where an SQL test says a
normalisation *might* apply — those go through the very same normalize_cell, so the notes and
values are identical. Anything unusual (other encodings, blank lines, line breaks inside cells,
ragged rows, title rows above the header) returns None and the Python reader takes over.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import duckdb

from ..forms.model import Form, FormField
from . import fast
from .issues import Issue
from .normalize import (DASHES, FULL_WIDTH, ZERO_REPORT, Changes, Table, body_notes, check_form_matches,
                        find_header, header_layout, normalize_cell)
from .reading import RawTable, Unusable, sniff_delimiter
from .. import messages as m

CHUNK = 1 << 22
# What str.isspace() calls whitespace (str.strip() removes it), as an RE2 class: nothing above U+3000, so the
# scan stops there (the full range cost 0.25 s at every start). RE2 beats DuckDB's trim(c, chars) here (measured).
WS = "".join(f"\\x{{{ord(ch):x}}}" for ch in map(chr, range(0x3001)) if ch.isspace())


def blank(c: str) -> str:
    return f"regexp_full_match({c}, '[{WS}]*')"


FULL = "".join(sorted(set("".join(k for k in map(chr, FULL_WIDTH)))))


def connect(tmp: str):
    con = duckdb.connect()
    con.execute(f"SET temp_directory = {fast.q(tmp)}")
    con.execute("SET preserve_insertion_order = true")
    return con


def scan(path: Path) -> tuple[int, bool] | None:
    """(line breaks, ends with one) if the file is plain UTF-8-ish text with one kind of line end."""
    lf = cr = crlf = 0
    last = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if b"\x00" in chunk:
                return None
            lf += chunk.count(b"\n")
            cr += chunk.count(b"\r")
            crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
            last = chunk[-1:]
    if cr and not cr == crlf == lf:
        return None
    return lf, last == b"\n"


def head_rows(path: Path) -> tuple[list[list[str]], str, str] | None:
    with open(path, "rb") as fh:
        data = fh.read(1 << 16)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    lines = data.split(b"\n")
    if len(data) == 1 << 16:
        lines = lines[:-1]          # the last one may be cut
    try:
        text = b"\n".join(lines[:31]).decode(encoding)
    except UnicodeDecodeError:
        return None
    if not text or text[0] in "\r\n":
        return None
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return rows, delimiter, {"utf-8-sig": "utf-8-bom"}.get(encoding, encoding)


def suspect(f: FormField, c: str) -> str:
    """True where normalize_cell might change the cell (never false when it would)."""
    parts = [f"regexp_matches({c}, '^[{WS}]|[{WS}]$')"]
    if f.type != "string" or f.format or f.pattern:
        parts.append(f"regexp_matches({c}, {fast.q('[' + FULL + ']')})")
    shapes = {"date": "[0-9]{4}-[0-9]{2}-[0-9]{2}", "datetime": "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}",
              "time": "[0-9]{2}:[0-9]{2}"}
    if f.type in shapes:
        parts.append(f"(NOT regexp_full_match({c}, '{shapes[f.type]}') AND regexp_matches({c}, '\\p{{Nd}}'))")
    elif f.type in ("integer", "number"):
        parts.append(f"contains({c}, ',')")
        if f.unit:
            parts.append(f"ends_with({c}, {fast.q(f.unit)})")
    elif f.type == "boolean":
        parts.append(f"{c} = '是的'")
    if f.format == "mobile" or (f.pattern and "1[3-9]" in f.pattern):
        parts.append(f"regexp_matches({c}, '[{WS}\\-]|^\\+?86')")
    if f.format == "cn-id":
        parts.append(f"ends_with({c}, 'x')")
    if f.format == "room":
        parts.append(f"regexp_matches({c}, {fast.q('[' + ''.join(map(chr, DASHES)) + ']|单元')})")
    test = "(" + " OR ".join(parts) + ")"
    # Most cells are already canonical: one cheap test clears them, and the tests above (three or four
    # regular expressions per cell) run only on the rest. A canonical cell is ASCII without spaces, so none
    # of the tests above can hold for it; CASE evaluates ELSE only for the rows the WHEN left.
    canon = canonical(f, c)
    return f"(CASE WHEN {c} = '' OR {canon} THEN FALSE ELSE {test} END)" if canon else test


CANON = {"date": "[0-9]{4}-[0-9]{2}-[0-9]{2}", "datetime": "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}",
         "time": "[0-9]{2}:[0-9]{2}", "integer": "-?[0-9]{1,18}", "number": "-?[0-9]{1,20}([.][0-9]{1,18})?",
         "mobile": "1[3-9][0-9]{9}", "cn-id": "[0-9]{17}[0-9X]", "room": "[0-9]{1,3}-[0-9]{1,2}-[0-9]{3,4}"}


def canonical(f: FormField, c: str) -> str | None:
    """SQL true for a cell normalize_cell leaves as it is, false-or-unknown otherwise (or None)."""
    if f.type == "boolean":
        return f"{c} IN ('是', '否')"
    if f.type != "string":
        return f"regexp_full_match({c}, {fast.q(CANON[f.type])})"
    if f.format == "mobile" or (f.pattern and "1[3-9]" in f.pattern):
        return f"regexp_full_match({c}, {fast.q(CANON['mobile'])})"
    if f.format in CANON:
        return f"regexp_full_match({c}, {fast.q(CANON[f.format])})"
    if f.enum and not f.format and not f.pattern and all(e == e.strip() for e in f.enum):
        return f"{c} IN ({', '.join(map(fast.q, f.enum))})"
    if f.pattern or f.format:
        return f"regexp_full_match({c}, '[0-9A-Za-z]+(-[0-9A-Za-z]+)*')"
    return None


def validate_csv(path: Path, form: Form, others, result) -> bool:
    """Fill result from the fast path; False when the file needs the Python reader."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return False
    try:
        lines = scan(path)
        head = head_rows(path)
    except OSError:
        return False
    if lines is None or head is None:
        return False
    rows, delimiter, encoding = head
    raw = RawTable(rows=rows, kind="csv", encoding=encoding)
    try:
        if find_header(raw, form) != 0:
            return False
        header = rows[0]
        check_form_matches(raw, header, form, list(others))
    except Unusable as exc:
        result.unusable = exc
        return True
    folder = tempfile.TemporaryDirectory(prefix="handbook-fast-")
    tmp = folder.name
    con = connect(tmp)
    width = len(header)
    cols = [f"r{k}" for k in range(width)]
    spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cols) + "}"
    try:
        con.execute(f"""CREATE TEMP TABLE raw AS SELECT {', '.join(f"coalesce({c}, '') AS {c}" for c in cols)}
            FROM read_csv({fast.q(str(path))}, header = false, skip = 1, auto_detect = false, columns = {spec},
                          delim = {fast.q(delimiter)}, quote = '"', escape = '"', null_padding = true,
                          strict_mode = true)""")
    except duckdb.Error:
        return False
    count = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    if count != lines[0] - 1 + (0 if lines[1] else 1):
        return False
    done = fill(con, form, header, width, result, tmp)
    if done:
        result.table.rows.folder = folder     # removed with the rows
    return done


def fill(con, form: Form, header: list, width: int, result, tmp: str) -> bool:
    cols = [f"r{k}" for k in range(width)]
    normalized: list[dict] = []
    blanks: dict[int, bool] = {}

    def column_blank(col: int) -> bool:
        if not blanks:
            row = con.execute("SELECT " + ", ".join(f"bool_and({blank(c)})" for c in cols) + " FROM raw").fetchone()
            blanks.update({k: v is not False for k, v in enumerate(row)})
        return blanks[col]

    issues, order, extra = header_layout(form, header, 0, width, column_blank, normalized)
    all_blank = " AND ".join(blank(c) for c in cols)
    filled = " + ".join(f"(NOT {blank(c)})::INTEGER" for c in cols)
    strip = "regexp_replace(%s, " + fast.q(f"^[{WS}]+|[{WS}]+$") + ", '', 'g')"
    zero = " OR ".join(f"{strip % c} IN ({', '.join(map(fast.q, sorted(ZERO_REPORT)))})" for c in cols)
    con.execute(f"CREATE TEMP VIEW kinds AS SELECT rowid AS n, {all_blank} AS blank, ({filled}) = 1 AND ({zero}) AS zero FROM raw")
    last = con.execute("SELECT max(n) FROM kinds WHERE NOT blank").fetchone()[0]
    last = -1 if last is None else last
    skipped = con.execute(f"SELECT n, blank FROM kinds WHERE (blank OR zero) AND n <= {last} ORDER BY n").fetchall()
    blank_rows = [n + 2 for n, b in skipped if b]
    zero_rows = [n + 2 for n, b in skipped if not b]
    keep = f"raw.rowid <= {last}" + (" AND raw.rowid NOT IN (SELECT n FROM kinds WHERE blank OR zero)" if skipped else "")
    fields = list(zip(form.fields, order))
    cell = {f.label: (f"r{col}" if col is not None else "''") for f, col in fields}
    # cells a normalisation may change: through normalize_cell, in row order, like to_table
    changes = Changes()
    fixes = []
    cond = " OR ".join(suspect(f, cell[f.label]) for f, col in fields if col is not None) or "FALSE"
    extra_cols = sorted(extra)
    extra_cond = " OR ".join(f"NOT {blank(f'r{k}')}" for k in extra_cols) or "FALSE"
    res = con.execute(f"SELECT rowid, {', '.join(cell[f.label] for f, _ in fields)}, "
                      f"{', '.join(f'r{k}' for k in extra_cols) or 'NULL'}, {cond} FROM raw "
                      f"WHERE {keep} AND (({cond}) OR ({extra_cond})) ORDER BY rowid")
    while batch := res.fetchmany(4096):
        for n, *values in batch:
            number = n + 2
            cells, rest, sus = values[:len(fields)], values[len(fields):-1], values[-1]
            if sus:
                fixes.append([n] + [normalize_cell(text, f, number, changes) for (f, _), text in zip(fields, cells)])
            for k, value in zip(extra_cols, rest):
                if value is not None and value.strip():
                    issues.append(Issue("extra-cell", number, None, value.strip(),
                                        m.RecordExtraCell.template.format(row=number, value=value.strip())))
    normalized += body_notes(blank_rows[:10], len(blank_rows), zero_rows) + changes.entries()
    names = [f"c{j}" for j in range(len(fields))]
    if fixes:
        fix_path = Path(tmp) / "fix.csv"
        with open(fix_path, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows(fixes)
        spec = "{'n': 'BIGINT', " + ", ".join(f"'{c}': 'VARCHAR'" for c in names) + "}"
        con.execute(f"CREATE TEMP TABLE fix AS SELECT * FROM read_csv({fast.q(str(fix_path))}, header = false, "
                    f"auto_detect = false, columns = {spec}, quote = '\"', escape = '\"', parallel = false)")
        pick = [f"CASE WHEN fix.n IS NULL THEN {cell[f.label]} ELSE coalesce(fix.{c}, '') END AS {c}"
                for (f, _), c in zip(fields, names)]
        source = "raw LEFT JOIN fix ON fix.n = raw.rowid"
    else:
        pick = [f"{cell[f.label]} AS {c}" for (f, _), c in zip(fields, names)]
        source = "raw"
    index = "row_number() OVER (ORDER BY raw.rowid) - 1" if skipped else "raw.rowid"
    con.execute(f"CREATE TEMP VIEW t AS SELECT {index} AS i, raw.rowid + 2 AS xr, {', '.join(pick)} "
                f"FROM {source} WHERE {keep}")
    total = con.execute("SELECT count(*) FROM raw WHERE " + keep).fetchone()[0]
    try:
        result.errors = fast.check(con, form, total, issues)
    except (fast.Unsupported, duckdb.Error):
        return False
    result.rows = total
    result.normalized = normalized
    result.table = DuckTable(form=form, labels=[f.label for f in form.fields], rows=DuckRows(con, names, total),
                             row_numbers=[], issues=issues, normalized=normalized)
    return True


class DuckRows:
    """The normalised rows, streamed from DuckDB (for canonical_csv when the file is stored)."""

    def __init__(self, con, names: list[str], total: int):
        self.con, self.names, self.total = con, names, total

    def __len__(self):
        return self.total

    def __iter__(self):
        res = self.con.execute(f"SELECT {', '.join(self.names)} FROM t ORDER BY i")
        while batch := res.fetchmany(8192):
            yield from (list(r) for r in batch)


class DuckTable(Table):
    pass
