"""A clerk's file → raw cells: CSV in any encoding Excel writes, or XLSX.

Only decoding happens here; matching the header to a form and normalising
cells is in normalize.py. Files that are not a table raise Unusable.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ... import messages as m

XLSX_MAGIC = b"PK\x03\x04"
# An XLSX is a zip: refuse one that would inflate far beyond any real month of records.
XLSX_MAX_UNPACKED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # legacy .xls / .doc
DELIMITERS = (",", "\t", ";")
csv.field_size_limit(10 * 1024 * 1024)


@dataclass(frozen=True)
class Limits:
    """Caps that keep one file from holding the server: far above a real month of one 管理处."""

    rows: int | None = None          # None: no cap (the CLI validating a big export)
    cells: int | None = None
    sheet_mb: int = 40               # uncompressed XML of the one sheet read
    columns: int = 200               # a hostile sheet dimension must not pad every row to 16 384 cells

    def check_csv(self, path: Path) -> None:
        """Count lines before parsing: a file of millions of tiny rows is refused at once.
        An XLSX is capped while its sheet is read (read_xlsx); a file that cannot be opened is
        left for read_table to report."""
        if (self.rows is None and self.cells is None) or is_xlsx(path):
            return
        try:
            with open(path, "rb") as fh:
                first = fh.readline()
                lines = 1 + sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
        except OSError:
            return
        if self.rows is not None and lines > self.rows + 1:
            raise Unusable(m.UploadTooManyRows, rows=lines - 1, limit=self.rows)
        width = 1 + max(first.count(d.encode()) for d in DELIMITERS)
        if self.cells is not None and (lines * width > self.cells or width > self.columns):
            raise Unusable(m.UploadTooManyCells, limit=self.cells)


UPLOAD_LIMITS = Limits(rows=50_000, cells=2_000_000)
NO_LIMITS = Limits()


class Unusable(Exception):
    """The file cannot be read as a table at all (exit code 2)."""

    def __init__(self, error: type[m.HandbookError], **params):
        super().__init__(error.code)
        self.error = error
        self.params = params

    @property
    def message(self) -> str:
        return self.error.render(**self.params)


@dataclass
class RawTable:
    """Cells as found: rows[i] is spreadsheet row i + 1. XLSX cells keep their Python type."""

    rows: list[list]
    kind: str                      # "csv" or "xlsx"
    encoding: str | None = None    # CSV only: the encoding we decoded with
    sheet: str | None = None       # XLSX only
    notes: list[str] = field(default_factory=list)


def is_xlsx(path: Path, head: bytes | None = None) -> bool:
    """An Excel workbook by its first bytes or, failing those, its name."""
    if head is None:
        try:
            with open(path, "rb") as fh:
                head = fh.read(4)
        except OSError:
            head = b""
    return head.startswith(XLSX_MAGIC) or Path(path).suffix.lower() in (".xlsx", ".xlsm")


def read_table(path: Path, progress=None, limits: Limits = NO_LIMITS) -> RawTable:
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise Unusable(m.RecordFileMissing, path=path)
    except OSError as exc:
        raise Unusable(m.RecordFileUnreadable, path=path, detail=exc.strerror or exc)
    if not data.strip():
        raise Unusable(m.RecordEmpty)
    if is_xlsx(path, data[:4]):
        return read_xlsx(data, progress, limits)
    if data.startswith(OLE_MAGIC):
        raise Unusable(m.RecordLegacyXls)
    return read_csv(data)


# ---------------------------------------------------------------- CSV
def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding label). UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        if b"\x00" in data:
            raise Unusable(m.RecordNotATable, detail="文件中有二进制内容")
        candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise Unusable(m.RecordUndecodable)


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def read_csv(data: bytes) -> RawTable:
    text, encoding = decode(data)
    if "\x00" in text:
        raise Unusable(m.RecordNotATable, detail="文件中有二进制内容")
    first = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(first))
    try:
        rows = [row for row in reader]
    except csv.Error as exc:
        raise Unusable(m.RecordNotATable, detail=f"CSV 格式错误（{exc}）")
    notes = []
    if encoding == "gb18030":
        notes.append("gbk")
    elif encoding == "utf-16":
        notes.append("utf16")
    return RawTable(rows=rows, kind="csv", encoding={"utf-8-sig": "utf-8-bom"}.get(encoding, encoding), notes=notes)


# ---------------------------------------------------------------- XLSX
def read_xlsx(data: bytes, progress=None, limits: Limits = NO_LIMITS) -> RawTable:
    from openpyxl import load_workbook

    if not data.startswith(XLSX_MAGIC):
        raise Unusable(m.RecordCorruptXlsx, detail="文件不是有效的 Excel（.xlsx）文件")
    check_zip_size(data, limits)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise Unusable(m.RecordCorruptXlsx, detail=_xlsx_detail(exc))
    except Exception as exc:  # openpyxl raises assorted parser errors on damaged parts
        raise Unusable(m.RecordCorruptXlsx, detail=_xlsx_detail(exc))
    try:
        ws = wb["填报"] if "填报" in wb.sheetnames else wb.worksheets[0]
        total = ws.max_row or 0
        if progress is not None:
            progress.start(total, "读取")
        rows = []
        cells = 0
        width = min(ws.max_column or 1, limits.columns)
        for i, row in enumerate(ws.iter_rows(values_only=True, max_col=width)):
            rows.append(list(row))
            cells += len(row)
            if limits.rows is not None and i > limits.rows:
                raise Unusable(m.UploadTooManyRows, rows=f"{i} 以上", limit=limits.rows)
            if limits.cells is not None and cells > limits.cells:
                raise Unusable(m.UploadTooManyCells, limit=limits.cells)
            if progress is not None and i % 1000 == 0:
                progress.update(i)
        title = ws.title
    except Unusable:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise Unusable(m.RecordCorruptXlsx, detail=_xlsx_detail(exc))
    except Exception as exc:
        raise Unusable(m.RecordCorruptXlsx, detail=_xlsx_detail(exc))
    finally:
        wb.close()
    if progress is not None:
        progress.finish()
    return RawTable(rows=rows, kind="xlsx", sheet=title)


def check_zip_size(data: bytes, limits: Limits = NO_LIMITS) -> None:
    """Read only the zip directory: a zip bomb or an oversized sheet is refused before anything is inflated."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unusable(m.RecordCorruptXlsx, detail=_xlsx_detail(exc))
    unpacked = sum(i.file_size for i in infos)
    if unpacked > XLSX_MAX_UNPACKED or unpacked > XLSX_MAX_RATIO * max(len(data), 1024 * 1024):
        raise Unusable(m.RecordZipBomb, mb=unpacked // (1024 * 1024))
    sheet = max((i.file_size for i in infos if i.filename.startswith("xl/worksheets/")), default=0)
    if sheet > limits.sheet_mb * 1024 * 1024:
        raise Unusable(m.XlsxSheetTooLarge, mb=sheet // (1024 * 1024), limit=limits.sheet_mb)


def _xlsx_detail(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return "文件不完整或已损坏（可能没有下载完或保存时中断）"
    return "文件内容已损坏，无法打开"


EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(value: float) -> dt.datetime | None:
    """An Excel date serial (days since 1899-12-30) as a datetime, for plausible record dates only."""
    if not 20000 < value < 80000:   # 1954 … 2119
        return None
    return EXCEL_EPOCH + dt.timedelta(days=value)
