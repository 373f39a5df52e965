"""Statistics downloads never hand Excel a formula from uploaded text (CSV/formula injection)."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from conftest import ROOT
from handbook.cli import main
from handbook.records.statistics.exports import report_csv, report_xlsx
from handbook.records.statistics.report import Statistics

EVIL_SITE = "=1+2管理处"


def test_site_names_that_look_like_formulas_stay_text(handbook, tmp_path, capsys):
    out = tmp_path / "sample"
    assert main(["--root", str(ROOT), "sample", "--out", str(out), "--months", "1", "--sites", "1", "--seed", "7",
                 "--end", "2026-10", "--json"]) == 0
    jobs = [dict(j, site=EVIL_SITE) for j in json.loads(capsys.readouterr().out)]
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    store = tmp_path / "records"
    code = main(["--root", str(ROOT), "ingest", "--batch", str(batch), "--data-dir", str(store)])
    assert code == 2 and "没有名为“=1+2管理处”的管理处" in capsys.readouterr().err
    # the registry refuses such names; a store written before it may still hold one, so the exports
    # must stay safe on their own: put the files in through the store itself
    from pathlib import Path

    from handbook.records.validation.intake import check_path
    from handbook.records.store.catalogue import Store

    for job in jobs:
        form = handbook.form_by_id[job["form"]]
        checked = check_path(handbook, form, Path(job["path"]))
        Store(store).ingest(form=form.id, site=EVIL_SITE, month=job["month"], original=b"", filename="x.csv",
                            canonical=checked.canonical, rows=checked.result.rows)

    report = Statistics(handbook, store).report("2026-10")
    rows = list(csv.reader(io.StringIO(report_csv(report).decode("utf-8-sig"))))
    sites = {r[1] for r in rows[1:]}
    assert "'" + EVIL_SITE in sites and EVIL_SITE not in sites

    wb = load_workbook(io.BytesIO(report_xlsx(report, "测试公司")))
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and value.startswith("=")), (ws.title, value)


def test_page_text_is_escaped_once_for_html_and_markdown():
    """Text on a statistics page is written as entities that Markdown leaves alone and a browser shows as typed
    (an apostrophe was once escaped twice and shown as “&#x27;”)."""
    import markdown

    from handbook.records.statistics.text import md_escape

    typed = "O'Neil <b>*粗*</b> [链接](http://x) #标题 {: .c} & | ~ _"
    html = markdown.Markdown(extensions=["attr_list", "tables"]).convert(md_escape(typed))
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.tags, self.text = [], ""

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)

        def handle_data(self, data):
            self.text += data

    seen = Text()
    seen.feed(html)
    assert seen.tags == ["p"] and seen.text == typed
