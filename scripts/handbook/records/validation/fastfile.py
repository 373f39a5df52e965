"""Large UTF-8 CSV files straight into DuckDB, normalised exactly as normalize.py does.

DuckDB reads the file once, streaming, into a narrow table (fill): per row a key hash, a few flag bits,
the error codes and — only for rows that are flagged or have errors — the raw cells. Most rows are
"clear" (fast.Plan.all_clear: every cell already canonical and valid), so they cost one cheap test per
cell. Python only sees the header and the rows an SQL test says a normalisation *might* apply to;
those go through the very same normalize_cell, so the notes and values are identical. Anything unusual
(other encodings, blank lines, line breaks inside cells, ragged rows, title rows above the header)
makes validate_csv return False and the Python reader takes over.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from ...forms.model import Form, FormField
from ...forms.schema import FORMAT_PATTERNS, field_pattern
from . import fast
from .issues import Issue
from .normalize import (DASHES, FULL_WIDTH, ZERO_REPORT, Changes, Table, body_notes, check_form_matches,
                        find_header, header_layout, normalize_cell)
from .reading import RawTable, Unusable, sniff_delimiter
from ..rules.engine import ERROR_LIMIT, report
from ... import messages as m

CHUNK = 1 << 22
# DuckDB's CSV read buffer. Its default (32 MB) held 180 MB at the peak for a 1M-row file; 8 MB reads a 1M-row
# file 0.15 s faster than 4 MB or 32 MB with two threads (peak 207 MB against 192 MB with 4 MB; measured).
# A line longer than this makes DuckDB stop, and the Python reader takes over.
BUFFER = 8 << 20
# What str.isspace() calls whitespace (str.strip() removes it), as an RE2 class: nothing above U+3000, so the
# scan stops there (the full range cost 0.25 s at every start). RE2 beats DuckDB's trim(c, chars) here (measured).
WS = "".join(f"\\x{{{ord(ch):x}}}" for ch in map(chr, range(0x3001)) if ch.isspace())


def blank(c: str) -> str:
    return f"(CASE WHEN {c} = '' THEN TRUE ELSE regexp_full_match({c}, '[{WS}]*') END)"


def all_blank(cols: list[str]) -> str:
    """Every cell blank; stops at the first filled cell (AND in a projection would test every cell)."""
    return "(CASE " + " ".join(f"WHEN NOT {blank(c)} THEN FALSE" for c in cols) + " ELSE TRUE END)"


FULL = "".join(sorted(set("".join(k for k in map(chr, FULL_WIDTH)))))


def connect(tmp: str):
    con = duckdb.connect()
    con.execute(f"SET temp_directory = {fast.q(tmp)}")
    con.execute("SET preserve_insertion_order = true")
    return con


def scan(path: Path) -> tuple[int, bool] | None:
    """(line feeds, ends with one), or None for a file with NUL bytes.

    DuckDB skips blank lines, so fill() compares its row count with the line count. Carriage returns
    need no count: a lone or mixed-in CR stops DuckDB's strict reader with an error (measured on LF and
    CRLF files, quoted and unquoted), and the Python reader takes over."""
    lf = 0
    last = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            if b"\x00" in chunk:
                return None
            lf += chunk.count(b"\n")
            last = chunk[-1:]
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


def ends_ws(c: str) -> str:
    """Whitespace at either end. A first and last character above U+3000 or printable ASCII settles it
    without the regular expression (a fifth of the cost on text columns)."""
    first, last = f"unicode({c})", f"unicode(right({c}, 1))"
    plain = " AND ".join(f"({x} > 12288 OR {x} BETWEEN 33 AND 126)" for x in (first, last))
    return f"(CASE WHEN {c} = '' OR ({plain}) THEN FALSE ELSE regexp_matches({c}, '^[{WS}]|[{WS}]$') END)"


def suspect_sql(f: FormField, c: str) -> str:
    """True where normalize_cell might change the cell (never false when it would)."""
    parts = [ends_ws(c)]
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
    if f.phone:
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


def settled(f: FormField, c: str) -> str | None:
    """SQL true for a filled cell that keeps f's cell rules and that normalize_cell leaves as it is, for
    Plan.all_clear (None: keeping the rules already implies it). Only ever a cheaper test than canonical()."""
    if f.type in ("date", "datetime", "time", "boolean"):
        return None           # their type regexes only admit canonical forms
    if plain_enum(f):
        return None           # the enum rule admits only its values, each written as normalize_cell leaves it
    if f.type == "string" and plain_pattern(f):
        # the pattern rule holds; an ASCII cell then matches it with ASCII digits, so no full-width
        # character, no whitespace and nothing a room or phone number is tidied from
        return f"strlen({c}) = length({c})"
    return canonical(f, c) or f"NOT {suspect_sql(f, c)}"


def plain_enum(f: FormField) -> bool:
    """A list of values with nothing normalize_cell would tidy: no format or pattern, no value with spaces around."""
    return f.type == "string" and bool(f.enum) and not (f.format or f.pattern) and all(e == e.strip() for e in f.enum)


def plain_pattern(f: FormField) -> bool:
    """f's pattern matches only ASCII letters, digits and punctuation without spaces once the cell is ASCII:
    no '.', no negated class, no whitespace; a phone column only with the plain mobile pattern (a wider
    one may admit the dashes and +86 normalize_cell removes)."""
    pattern = field_pattern(f)
    if pattern is None or not pattern.isascii() or re.search(r"\\s|\\S|\\W|\\D|\[\^|\s|(?<!\\)\.", pattern):
        return False
    return not f.phone or pattern == FORMAT_PATTERNS["mobile"]


def canonical(f: FormField, c: str) -> str | None:
    """SQL true for a cell normalize_cell leaves as it is, false-or-unknown otherwise (or None)."""
    if f.type == "boolean":
        return f"{c} IN ('是', '否')"
    if f.type != "string":
        return f"regexp_full_match({c}, {fast.q(CANON[f.type])})"
    if f.phone:
        return f"regexp_full_match({c}, {fast.q(CANON['mobile'])})"
    if f.format in CANON:
        return f"regexp_full_match({c}, {fast.q(CANON[f.format])})"
    if plain_enum(f):
        return f"{c} IN ({', '.join(map(fast.q, f.enum))})"
    if f.pattern or f.format:
        return f"regexp_full_match({c}, '[0-9A-Za-z]+(-[0-9A-Za-z]+)*')"
    return None


BLANK, ZERO, SUSPECT, EXTRA = 1, 2, 4, 8


class Source:
    """The CSV body as DuckDB reads it: every column VARCHAR, '' for empty, file row n from 0."""

    def __init__(self, path: Path, width: int, delimiter: str):
        spec = "{" + ", ".join(f"'r{k}': 'VARCHAR'" for k in range(width)) + "}"
        self.width = width
        self.cols = [f"r{k}" for k in range(width)]
        # force_not_null: empty cells (quoted or not, and those a short row is padded with) read as ''
        # rather than NULL — coalesce() on every cell cost a fifth of the read (measured)
        self.sql = (f"read_csv({fast.q(str(path))}, header = false, skip = 1, auto_detect = false, "
                    f"columns = {spec}, delim = {fast.q(delimiter)}, quote = '\"', escape = '\"', "
                    f"null_padding = true, strict_mode = true, buffer_size = {BUFFER}, "
                    f"force_not_null = [{', '.join(map(fast.q, self.cols))}])")

    def numbered(self) -> str:
        # row_number() OVER () runs as DuckDB's streaming window: file order, nothing materialised
        return f"(SELECT row_number() OVER () - 1 AS n, * FROM {self.sql})"


def validate_csv(path: Path, form: Form, others, result) -> bool:
    """Fill result from the fast path; False when the file needs the Python reader."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return False
    try:
        head = head_rows(path)
    except OSError:
        return False
    if head is None:
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
    con = connect(folder.name)
    source = Source(path, len(header), delimiter)
    # the line count (Python, one core) runs while DuckDB reads the file
    with ThreadPoolExecutor(1) as pool:
        lines = pool.submit(scan, path)
        try:
            done = fill(con, form, header, source, lines, result, folder.name)
        except (fast.Unsupported, duckdb.Error, OSError):
            done = False
    if done:
        result.table.rows.folder = folder     # removed with the rows
    return done


def fill(con, form: Form, header: list, source: Source, lines, result, tmp: str) -> bool:
    """One streaming pass over the file into a narrow table p, then small queries on p.

    p keeps per file row: h (hash of the typed key), f (BLANK|ZERO|SUSPECT|EXTRA bits), bad (some rule
    fails, see fast.Plan.columns), clear (fast.Plan.all_clear) and the raw cells only for rows that are
    not clear, flagged or bad — so a clean file costs a few bytes per row, never the whole table.
    """
    cols, width = source.cols, source.width
    normalized: list[dict] = []
    blanks: dict[int, bool] = {}

    def column_blank(col: int) -> bool:
        if not blanks:       # only for odd headers (repeated or unknown labels): one more pass
            row = con.execute("SELECT " + ", ".join(f"bool_and({blank(c)})" for c in cols) + f" FROM {source.sql}").fetchone()
            blanks.update({k: v is not False for k, v in enumerate(row)})
        return blanks[col]

    issues, order, extra = header_layout(form, header, 0, width, column_blank, normalized)
    plan = fast.Plan(form)
    columns = plan.columns()
    clear_columns = plan.columns(clear="clear")
    fields = list(zip(form.fields, order))
    cell = {f.label: (f"r{col}" if col is not None else "''") for f, col in fields}
    names = list(plan.col.values())
    nonblank = [f"NOT {blank(c)}" for c in cols]
    zero_words = ", ".join(map(fast.q, sorted(ZERO_REPORT)))
    strip = "regexp_replace(%s, " + fast.q(f"^[{WS}]+|[{WS}]+$") + ", '', 'g')"
    zero_full = (f"(({' + '.join(f'({x})::INTEGER' for x in nonblank)}) = 1 AND "
                 f"({' OR '.join(f'{strip % c} IN ({zero_words})' for c in cols)}))")
    # a row with two filled cells is never a “本月无” row: most rows are cleared by the first two cells
    zero = (f"(CASE WHEN {nonblank[0]} AND {nonblank[1]} THEN FALSE ELSE {zero_full} END)" if width > 1 else zero_full)
    suspect = " OR ".join(suspect_sql(f, cell[f.label]) for f, col in fields if col is not None) or "FALSE"
    extra_cols = sorted(extra)
    extra_cond = " OR ".join(nonblank[k] for k in extra_cols) or "FALSE"
    mapped = ", ".join(f"{cell[f.label]} AS {c}" for (f, _), c in zip(fields, names))
    # with two required cells filled, a clear row is not a “本月无” row either
    if sum(1 for f, col in fields if f.required and col is not None) >= 2:
        zero = f"(CASE WHEN clear THEN FALSE ELSE {zero} END)"
    flags = f"(CASE WHEN {zero} THEN {ZERO} ELSE 0 END) + (CASE WHEN {extra_cond} THEN {EXTRA} ELSE 0 END)"
    con.execute(f"""CREATE TABLE p AS
        SELECT h, f::UTINYINT AS f, bad, clear,
               CASE WHEN NOT clear OR f <> 0 OR bad THEN [{', '.join(cols)}] END AS cells
        FROM (SELECT {', '.join(cols)}, {flags} AS f, clear, {clear_columns} FROM
              (SELECT *, {plan.all_clear(settled)} AS clear FROM
               (SELECT *, {plan.values()} FROM (SELECT *, {mapped} FROM {source.sql}))))""")
    # A clear row (fast.Plan.all_clear) is neither blank nor in need of normalisation; the others are judged on
    # their kept cells in a second, small query — in a clean file there are none, and its forty-odd regular
    # expressions are never compiled (a tenth of a second at every start, measured).
    if con.execute("SELECT count(*) FROM p WHERE NOT clear").fetchone()[0]:
        kept_cells = ", ".join(f"cells[{k + 1}] AS {c}" for k, c in enumerate(cols))
        con.execute(f"""UPDATE p SET f = f + x.g FROM
            (SELECT n, CASE WHEN {all_blank(cols)} THEN {BLANK} WHEN {suspect} THEN {SUSPECT} ELSE 0 END AS g
             FROM (SELECT rowid AS n, {kept_cells} FROM p WHERE NOT clear)) AS x
            WHERE p.rowid = x.n AND x.g <> 0""")
    count = con.execute("SELECT count(*) FROM p").fetchone()[0]
    lines = lines.result()
    if lines is None or count != lines[0] - 1 + (0 if lines[1] else 1):
        return False
    last = con.execute(f"SELECT max(rowid) FROM p WHERE f & {BLANK} = 0").fetchone()[0]
    last = -1 if last is None else last
    kept = f"rowid <= {last} AND f & {BLANK | ZERO} = 0"
    as_read = f"{kept} AND f & {SUSPECT} = 0"          # kept rows whose cells need no normalising

    # flagged rows in file order: skipped rows, normalisations through normalize_cell, extra cells
    skipped: list[int] = []
    blank_rows, zero_rows = [], []
    changes = Changes()
    fix_path = Path(tmp) / "fix.csv"
    fixes = 0
    with open(fix_path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        res = con.execute(f"SELECT rowid, f, cells FROM p WHERE rowid <= {last} AND f & {BLANK | ZERO | SUSPECT | EXTRA} <> 0 "
                          "ORDER BY rowid")
        while batch := res.fetchmany(4096):
            for n, f, raw_cells in batch:
                number = n + 2
                if f & (BLANK | ZERO):
                    skipped.append(n)
                    (blank_rows if f & BLANK else zero_rows).append(number)
                    continue
                if f & SUSPECT:
                    values = [normalize_cell(raw_cells[col] if col is not None else "", fl, number, changes)
                              for fl, col in fields]
                    writer.writerow([n, *values])
                    fixes += 1
                for k in extra_cols:
                    value = raw_cells[k]
                    if value.strip():
                        issues.append(Issue("extra-cell", number, None, value.strip(),
                                            m.RecordExtraCell.render(row=number, value=value.strip())))
    normalized += body_notes(blank_rows[:10], len(blank_rows), zero_rows) + changes.entries()
    if fixes:
        spec = "{'n': 'BIGINT', " + ", ".join(f"'{c}': 'VARCHAR'" for c in names) + "}"
        con.execute(f"CREATE TABLE fix AS SELECT n, {', '.join(f'coalesce({c}, {chr(39) * 2}) AS {c}' for c in names)} "
                    f"FROM read_csv({fast.q(str(fix_path))}, header = false, auto_detect = false, columns = {spec}, "
                    f"quote = '\"', escape = '\"', parallel = false)")
        con.execute(f"CREATE TABLE fixc AS SELECT n, [{', '.join(names)}] AS cells, {columns} "
                    f"FROM (SELECT *, {plan.values()} FROM fix)")
    else:                # the usual clean file: no normalised rows, and no need to compile their checks
        con.execute(f"CREATE TABLE fix (n BIGINT, {', '.join(f'{c} VARCHAR' for c in names)})")

    def index(n: int) -> int:            # position in the normalised table (skipped rows left out)
        return n - bisect.bisect_left(skipped, n)

    def from_raw(raw_cells: list[str]) -> list[str]:
        return [raw_cells[col] if col is not None else "" for _, col in fields]

    found = {}                           # index → (spreadsheet row, normalised cells) of rows to judge
    for n, raw_cells in con.execute(f"SELECT rowid, cells FROM p WHERE {as_read} "
                                    f"AND bad ORDER BY rowid LIMIT {ERROR_LIMIT}").fetchall():
        found[index(n)] = (n + 2, from_raw(raw_cells))
    if fixes:
        for n, cells in con.execute(f"SELECT n, cells FROM fixc WHERE bad ORDER BY n LIMIT {ERROR_LIMIT}").fetchall():
            found[index(n)] = (n + 2, cells)
    hashes = (f"SELECT h FROM p WHERE {as_read} AND h IS NOT NULL"
              + (" UNION ALL SELECT h FROM fixc WHERE h IS NOT NULL" if fixes else ""))
    repeated = [h for (h,) in con.execute(f"SELECT h FROM ({hashes}) GROUP BY h HAVING count(*) > 1").fetchall()]
    dups, xr_of = {}, {}
    if repeated:
        within = ", ".join(map(str, repeated))
        keys = ", ".join(f"k{j}" for j in range(len(form.primary_key)))
        ids = [n for (n,) in con.execute(f"SELECT rowid FROM p WHERE {as_read} AND h IN ({within})").fetchall()]
        con.execute("CREATE TABLE ids AS SELECT unnest(?::BIGINT[]) AS n", [ids])
        # a second pass, only when some key hash repeats: the cells and typed keys of those rows
        candidates = con.execute(
            f"SELECT n, cells, {keys} FROM (SELECT n, [{', '.join(names)}] AS cells, {columns} FROM "
            f"(SELECT *, {plan.values()} FROM (SELECT n, {mapped} FROM {source.numbered()} "
            f"WHERE n IN (SELECT n FROM ids))))"
            + (f" UNION ALL SELECT n, cells, {keys} FROM fixc WHERE h IN ({within})" if fixes else "")).fetchall()
        dups = fast.duplicates([(index(r[0]), tuple(r[2:])) for r in candidates])
        for n, cells, *_ in candidates:
            xr_of[index(n)] = n + 2
            if index(n) in dups:
                found[index(n)] = (n + 2, cells)
    total = last + 1 - len(skipped)
    findings = []
    for i in sorted(found):
        xr, cells = found[i]
        findings += plan.findings(cells, xr)
        if i in dups:
            findings.append(plan.rows.duplicate(cells, xr, xr_of[dups[i]]))
        if len(findings) >= ERROR_LIMIT:
            break
    result.errors = report(findings[:ERROR_LIMIT], len(findings), [f.label for f in form.fields], issues)
    result.rows = total
    result.normalized = normalized
    result.table = DuckTable(form=form, labels=[f.label for f in form.fields],
                             rows=DuckRows(con, source, fields, names, skipped, last, total),
                             row_numbers=[], issues=issues, normalized=normalized)
    return True


class DuckRows:
    """The normalised rows, streamed in file order (for canonical_csv when the file is stored): the file
    once more, with the normalised rows of table fix merged in and skipped rows left out."""

    def __init__(self, con, source: Source, fields, names: list[str], skipped: list[int], last: int, total: int):
        self.con, self.source, self.fields, self.names = con, source, fields, names
        self.skipped, self.last, self.total = set(skipped), last, total

    def __len__(self):
        return self.total

    def __iter__(self):
        fixes = self.con.cursor().execute(f"SELECT n, {', '.join(self.names)} FROM fix ORDER BY n")

        def fix_rows():
            while batch := fixes.fetchmany(8192):
                yield from batch
        pending = fix_rows()
        nxt = next(pending, None)
        picks = [f"r{col}" if col is not None else "''" for _, col in self.fields]
        res = self.con.cursor().execute(f"SELECT {', '.join(picks)} FROM {self.source.sql}")
        n = 0
        while batch := res.fetchmany(8192):
            for row in batch:
                if n > self.last:
                    return
                if n not in self.skipped:
                    if nxt is not None and nxt[0] == n:
                        yield list(nxt[1:])
                        nxt = next(pending, None)
                    else:
                        yield list(row)
                n += 1


class DuckTable(Table):
    pass
