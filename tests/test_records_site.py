"""`handbook sample` → `handbook ingest` → the 月度统计 site section, as `make run` does it."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import ROOT
from handbook.cli import main

MONTHS, SITES, SEED, END = 12, 2, 2026, "2026-10"
UNFILED = "翠微苑管理处"


@contextmanager
def data_dir_env(path: Path):
    old = os.environ.get("HANDBOOK_DATA_DIR")
    os.environ["HANDBOOK_DATA_DIR"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("HANDBOOK_DATA_DIR", None)
        else:
            os.environ["HANDBOOK_DATA_DIR"] = old


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, list[dict]]:
    out = tmp_path_factory.mktemp("sample")
    listing = out / "sample.json"
    data = out / "store"
    import contextlib
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["--root", str(ROOT), "sample", "--out", str(out / "files"), "--months", str(MONTHS),
                     "--sites", str(SITES), "--seed", str(SEED), "--end", END, "--data-dir", str(data), "--json"])
    assert code == 0
    # its fictional 管理处 are registered in the data dir it is meant for, from its first month on
    assert "first_month: 2025-11" in (data / "sites.yml").read_text(encoding="utf-8")
    listing.write_text(buf.getvalue(), encoding="utf-8")
    return listing, json.loads(buf.getvalue())


@pytest.fixture(scope="module")
def store(sample, tmp_path_factory) -> Path:
    data = sample[0].parent / "store"
    # exit 0 means every sample file passed validation and was stored
    assert main(["--root", str(ROOT), "ingest", "--batch", str(sample[0]), "--data-dir", str(data)]) == 0
    # the last month is partly filed: one 管理处's 报修登记表 is taken back
    assert main(["--root", str(ROOT), "withdraw", "--form", "repair-log", "--site", UNFILED, "--month", END,
                 "--data-dir", str(data)]) == 0
    return data


@pytest.fixture(scope="module")
def site(store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site-with-data")
    with data_dir_env(store):
        assert main(["--root", str(ROOT), "build", "--strict", "--site-dir", str(out)]) == 0
    return out


def read_rows(path: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))


# ---------------------------------------------------------------- sample
def test_sample_writes_every_record_form_site_and_month(sample, handbook):
    _, files = sample
    forms = {f.id for f in handbook.record_forms() if f.due != "pool"}
    assert {f["form"] for f in files} >= forms
    assert len({f["site"] for f in files}) == SITES
    months = sorted({f["month"] for f in files})
    assert len(months) == MONTHS and months[-1] == END
    for form in forms:
        for month in months:
            assert sum(1 for f in files if f["form"] == form and f["month"] == month) == SITES
    assert all(Path(f["path"]).exists() for f in files)


def test_sample_is_varied_and_obviously_fake(sample):
    _, files = sample
    rows = lambda form: [r for f in files if f["form"] == form for r in read_rows(f["path"])]
    complaints = rows("complaint-log")
    assert len({r["投诉类别"] for r in complaints}) >= 5
    late = [r for r in complaints if r["完成时间"] and r["完成时间"] > r["规定完成时间"]]
    assert late, "some complaints are handled late"
    assert {"不满意", "满意", "基本满意"} <= {r["回访结果"] for r in rows("callback-log")}
    assert any("-2" in r["编号"][7:] for r in complaints), "unhappy customers reopen complaints"
    phones = [r["联系电话"] for r in rows("call-visit-log")]
    assert phones and all(p.startswith("1380013") for p in phones)
    names = {r["客户姓名"] for r in rows("call-visit-log")}
    assert all(re.fullmatch(r"[\u4e00-\u9fff][三四五六七八九十]", n) for n in names)


def test_sample_is_reproducible(tmp_path, capsys):
    args = ["--months", "2", "--sites", "1", "--seed", "5", "--end", "2026-10", "--json"]
    assert main(["--root", str(ROOT), "sample", "--out", str(tmp_path / "a"), *args]) == 0
    assert main(["--root", str(ROOT), "sample", "--out", str(tmp_path / "b"), *args]) == 0
    capsys.readouterr()
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.csv")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.csv")}
    assert a == b and a


# ---------------------------------------------------------------- the site
def test_statistics_section_lists_a_year_latest_first(site):
    index = (site / "statistics" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*?(\d{4}-\d{2})/)"', index)
    months = list(dict.fromkeys(m for _, m in links))
    assert len(months) == MONTHS and months == sorted(months, reverse=True) and months[0] == END
    assert "月度统计" in index and "<svg" in index


def test_month_page_has_tables_charts_and_downloads(site):
    page = (site / "statistics" / END / "index.html").read_text(encoding="utf-8")
    assert "2026年10月 月度统计" in page
    for heading in ("全公司考核指标", "各管理处对比", "业务量", "跨月事项", "超时未完成明细", "报送情况"):
        assert heading in page
    svgs = re.findall(r"<svg class=\"hb-chart.*?</svg>", page, re.S)
    assert svgs and all("<text" in s for s in svgs)
    assert re.search(r"<text[^>]*>投诉处理率</text>", page)
    assert "<script" not in "".join(svgs)
    assert "前期遗留" in page and "本月完成" in page and "超时未完成" in page
    xlsx = site / "statistics" / f"月度统计-{END}.xlsx"
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["考核指标", "业务量", "跨月事项", "超时未完成明细", "报送情况"]
    text = (site / "statistics" / f"月度统计-{END}.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith("月份,管理处,指标,实际值") and "投诉处理率" in text
    assert f"月度统计-{END}.xlsx" in page


def test_no_personal_data_on_any_statistics_page_or_download(site, sample, handbook):
    _, files = sample
    personal: set[str] = set()
    rooms: set[str] = set()
    for f in files:
        form = handbook.form_by_id[f["form"]]
        for row in read_rows(f["path"]):
            for field in form.fields:
                value = row.get(field.label, "")
                # a one-letter code (重点户类别 A, B …) is personal only next to a room, and rooms are checked;
                # alone it cannot be told from clause letters such as 4.4.B
                if field.personal and len(value) > 1:
                    (rooms if field.format == "room" else personal).add(value)
    assert personal and rooms
    texts = []
    for path in (site / "statistics").rglob("*"):
        if path.suffix in (".html", ".csv"):
            texts.append(path.read_bytes().decode("utf-8-sig"))
        elif path.suffix == ".xlsx":
            wb = load_workbook(path)
            texts.append("\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None))
    blob = "\n".join(texts)
    leaked = [v for v in personal if v in blob]
    leaked += [r for r in rooms if re.search(rf"(?<![\d-]){re.escape(r)}(?![\d-])", blob)]
    assert leaked == []


def test_procedure_pages_show_the_latest_value_next_to_the_target_clause(site, handbook):
    page = (site / "handbook" / "1.1-supervisor" / "index.html").read_text(encoding="utf-8")
    clause = re.search(r'<div class="hb-clause" id="c-5">.*?</p>', page, re.S).group(0)
    assert re.search(r"2026年10月 投诉处理率 \d+\.\d%（目标100%）(未达标|达标)", clause)
    assert "投诉24小时内处理率" in clause
    collection = re.search(r'<div class="hb-clause" id="c-6">.*?</p>', page, re.S).group(0)
    assert re.search(r"物业管理费收缴率 \d+\.\d%（目标≥95%）", collection)
    assert "个管理处已报送" not in clause                     # both filed their complaints
    # 维修及时率's target (3.19 第4.3.6.D条): one of the two 管理处 has not filed its 报修登记表 for October
    stats = (site / "handbook" / "3.19-statistics" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"2026年10月 维修及时率 [\d.]+%（目标[^）]+）(未达标|达标)（1/2 个管理处已报送）", stats)


def test_without_data_the_section_says_so(tmp_path):
    out = tmp_path / "site"
    with data_dir_env(tmp_path / "empty"):
        assert main(["--root", str(ROOT), "build", "--site-dir", str(out)]) == 0
    index = (out / "statistics" / "index.html").read_text(encoding="utf-8")
    assert "还没有数据" in index
    assert not list((out / "statistics").glob("20*"))
    page = (out / "handbook" / "1.1-supervisor" / "index.html").read_text(encoding="utf-8")
    assert "hb-kpi" not in page
