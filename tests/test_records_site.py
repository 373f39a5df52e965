"""`handbook sample` → `handbook ingest` → the 月度统计 site section, as `make run` does it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook

from conftest import ROOT, SAMPLE_END as END, SAMPLE_MONTHS as MONTHS, SAMPLE_SITES as SITES
from handbook.cli import main

# The sample files (sample_files), their store and its site (sample_site) are built once per session
# in conftest.py and only read here.


def read_rows(path: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))


# ---------------------------------------------------------------- sample
def test_sample_writes_every_record_form_site_and_month(sample_files, handbook):
    _, files = sample_files
    forms = {f.id for f in handbook.record_forms() if f.due != "pool"}
    assert {f["form"] for f in files} >= forms
    assert len({f["site"] for f in files}) == SITES
    months = sorted({f["month"] for f in files})
    assert len(months) == MONTHS and months[-1] == END
    for form in forms:
        for month in months:
            assert sum(1 for f in files if f["form"] == form and f["month"] == month) == SITES
    assert all(Path(f["path"]).exists() for f in files)


def test_sample_is_varied_and_obviously_fake(sample_files):
    _, files = sample_files
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
def test_statistics_section_lists_a_year_latest_first(sample_site):
    index = (sample_site / "statistics" / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]*?(\d{4}-\d{2})/)"', index)
    months = list(dict.fromkeys(m for _, m in links))
    assert len(months) == MONTHS and months == sorted(months, reverse=True) and months[0] == END
    assert "月度统计" in index and "<svg" in index


def test_month_page_has_tables_charts_and_downloads(sample_site):
    page = (sample_site / "statistics" / END / "index.html").read_text(encoding="utf-8")
    assert "2026年10月 月度统计" in page
    for heading in ("全公司考核指标", "各管理处对比", "业务量", "跨月事项", "超时未完成明细", "报送情况"):
        assert heading in page
    svgs = re.findall(r"<svg class=\"hb-chart.*?</svg>", page, re.S)
    assert svgs and all("<text" in s for s in svgs)
    assert re.search(r"<text[^>]*>投诉处理率</text>", page)
    assert "<script" not in "".join(svgs)
    assert "前期遗留" in page and "本月完成" in page and "超时未完成" in page
    xlsx = sample_site / "statistics" / f"月度统计-{END}.xlsx"
    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["考核指标", "业务量", "跨月事项", "超时未完成明细", "报送情况"]
    text = (sample_site / "statistics" / f"月度统计-{END}.csv").read_bytes().decode("utf-8-sig")
    assert text.startswith("月份,管理处,指标,实际值") and "投诉处理率" in text
    assert f"月度统计-{END}.xlsx" in page


def test_no_personal_data_on_any_statistics_page_or_download(sample_site, sample_files, handbook):
    _, files = sample_files
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
    for path in (sample_site / "statistics").rglob("*"):
        if path.suffix in (".html", ".csv"):
            texts.append(path.read_bytes().decode("utf-8-sig"))
        elif path.suffix == ".xlsx":
            wb = load_workbook(path)
            texts.append("\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None))
    blob = "\n".join(texts)
    leaked = [v for v in personal if v in blob]
    leaked += [r for r in rooms if stands_alone(r, blob)]
    assert leaked == []


def stands_alone(needle: str, text: str) -> bool:
    """re.search(rf"(?<![\\d-]){re.escape(needle)}(?![\\d-])", text), found with str.find: the regex
    tries its look-behind at every position of the text (20 s for the rooms of the sample)."""
    digit_or_dash = re.compile(r"[\d-]")
    at = text.find(needle)
    while at != -1:
        before, after = text[at - 1:at] if at else "", text[at + len(needle):at + len(needle) + 1]
        if not digit_or_dash.fullmatch(before) and not digit_or_dash.fullmatch(after):
            return True
        at = text.find(needle, at + 1)
    return False


def test_procedure_pages_show_the_latest_value_next_to_the_target_clause(sample_site, handbook):
    page = (sample_site / "handbook" / "1.1-supervisor" / "index.html").read_text(encoding="utf-8")
    clause = re.search(r'<div class="hb-clause" id="c-5">.*?</p>', page, re.S).group(0)
    assert re.search(r"2026年10月 投诉处理率 \d+\.\d%（目标100%）(未达标|达标)", clause)
    assert "投诉24小时内处理率" in clause
    collection = re.search(r'<div class="hb-clause" id="c-6">.*?</p>', page, re.S).group(0)
    assert re.search(r"物业管理费收缴率 \d+\.\d%（目标≥95%）", collection)
    assert "个管理处已报送" not in clause                     # both filed their complaints
    # 维修及时率's target (3.19 第4.3.6.D条): one of the two 管理处 has not filed its 报修登记表 for October
    stats = (sample_site / "handbook" / "3.19-statistics" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"2026年10月 维修及时率 [\d.]+%（目标[^）]+）(未达标|达标)（1/2 个管理处已报送）", stats)


def test_without_data_the_section_says_so(site_dir):
    out = site_dir                  # the session's site, built with an empty records folder (conftest.py)
    index = (out / "statistics" / "index.html").read_text(encoding="utf-8")
    assert "还没有数据" in index
    assert not list((out / "statistics").glob("20*"))
    page = (out / "handbook" / "1.1-supervisor" / "index.html").read_text(encoding="utf-8")
    assert "hb-kpi" not in page
