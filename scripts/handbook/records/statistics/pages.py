"""The 月度统计 site section: an overview, one page per month (latest first), downloads, clause badges.

Pages show aggregates and record numbers only (3.19#4.8.5): no personal field is ever read into a report.
"""

from __future__ import annotations


import re
from html import escape as attr

from ...site.links import clause_anchor, clause_label, href_to, relative
from .charts import count_bars, kpi_bars, trend
from .exports import VERDICT, report_csv, report_xlsx
from .compute import met, rounded
from .report import CARRY_LABELS, COMPANY, Statistics
from .text import filing_line, included_line, kpi_title, md_escape as escape, month_label

INDEX = "statistics/index.md"
CHART_COUNTS = ("complaints-category", "calls", "repairs", "callbacks-result")


def month_src(month: str) -> str:
    return f"statistics/{month}.md"


def downloads(month: str) -> dict[str, str]:
    return {"xlsx": f"statistics/月度统计-{month}.xlsx", "csv": f"statistics/月度统计-{month}.csv"}


class StatisticsPages:
    def __init__(self, handbook, stats: Statistics | None, directory_urls: bool, shells: bool = False):
        """shells: the pages only as frames for the server to fill (web/live.py renders their content per
        request), so building the site computes no month's report but the latest (for the clause badges)."""
        self.handbook = handbook
        self.stats = stats
        self.directory_urls = directory_urls
        self.shells = shells
        self.months = sorted(stats.months(), reverse=True) if stats else []
        self._reports: dict[str, dict] = {}
        self._links: dict[tuple[str, str], str] = {}

    def report(self, month: str) -> dict:
        if month not in self._reports:
            self._reports[month] = self.stats.report(month)
        return self._reports[month]

    # ------------------------------------------------------------ links
    def _href(self, target: str, from_src: str) -> str:
        return href_to(target, from_src, self.directory_urls)

    def clause_link(self, ref: str, from_src: str) -> str:
        key = (ref, from_src)
        if key not in self._links:          # the same few clauses on every row of a 500-管理处 page
            self._links[key] = self._clause_link(ref, from_src)
        return self._links[key]

    def _clause_link(self, ref: str, from_src: str) -> str:
        chapter, _, sid = ref.partition("#")
        proc = self.handbook.by_chapter[chapter]
        href = relative(proc.page_path, from_src, self.directory_urls) + (f"#{clause_anchor(sid)}" if sid else "")
        return f'<a href="{attr(href)}" title="{attr(proc.name)}">{escape(clause_label(ref))}</a>'

    # ------------------------------------------------------------ files for the site
    def files(self) -> dict[str, str | bytes]:
        if self.shells:
            return {INDEX: self.shell("月度统计"), **{month_src(m): self.shell(f"{month_label(m)} 月度统计") for m in self.months}}
        out: dict[str, str | bytes] = {INDEX: self.index()}
        company = self.handbook.organisation.company
        for month in self.months:
            report = self.report(month)
            out[month_src(month)] = self.month_page(month)
            paths = downloads(month)
            out[paths["csv"]] = report_csv(report)
            out[paths["xlsx"]] = report_xlsx(report, company)
        return out

    @staticmethod
    def shell(title: str) -> str:
        return "\n".join(["---", f"title: {title}", "---", "", f"# {title}", "",
                          "<p>统计页面由服务器按记录库的当前内容生成，请登录后查看。</p>", ""])

    def nav(self) -> list:
        return [INDEX] + [{month_label(m): month_src(m)} for m in self.months]

    # ------------------------------------------------------------ pages
    def index(self, company: bool = True) -> str:
        """The overview; company=False (an account that reads its own 管理处 only): the months, no company figures."""
        lines = ["---", "title: 月度统计", "---", "", "# 月度统计", ""]
        if not self.months:
            lines += ['<p class="hb-stats-empty">还没有数据。各管理处的记录表入库（<code>handbook ingest</code>）后，'
                      "这里按月列出考核指标、业务量和跨月事项。</p>", ""]
            return "\n".join(lines)
        lines += [f"<p>按数据统计及信息收集管理规程（{self.clause_link('3.19#4.3', INDEX)}）计算，"
                  "各管理处和全公司的比率按分子、分母分别相加后计算。报表只含件数、金额和记录编号，不含客户姓名、电话、房号等个人信息。</p>", ""]
        if not company:
            links = "".join(f'<li><a href="{attr(self._href(month_src(m), INDEX))}">{month_label(m)}</a></li>' for m in self.months)
            return "\n".join(lines + ["## 各月报表 {#months}", "", f"<ul>{links}</ul>", ""])
        rows = []
        for month in self.months:        # company figures only: no full report per month
            verdicts = [met(k, self.stats.value(k, COMPANY, month)) for k in self.stats.defs.kpis]
            judged = [v for v in verdicts if v is not None]
            rows.append(f'<tr><td><a href="{attr(self._href(month_src(month), INDEX))}">{month_label(month)}</a></td>'
                        f'<td>{len(self.stats.sites(month))}</td><td>{sum(judged)} / {len(judged)}</td></tr>')
        lines += ["## 各月报表 {#months}", "",
                  f'<table><thead><tr><th>月份</th><th>管理处</th><th>全公司达标指标</th></tr></thead><tbody>{"".join(rows)}</tbody></table>', ""]
        lines += ["## 全公司指标趋势 {#trends}", "", self.trends(), ""]
        return "\n".join(lines)

    def trends(self) -> str:
        months = sorted(self.months)[-12:]
        charts = []
        for kpi in self.stats.defs.kpis:
            points = [(m, rounded(self.stats.value(kpi, COMPANY, m))) for m in months]
            charts.append(f"<figure>{trend(kpi.title, points, kpi.target.value if kpi.target else None)}</figure>")
        return f'<div class="hb-trends">{"".join(charts)}</div>'

    def month_page(self, month: str, report: dict | None = None, blocks: "Blocks | None" = None) -> str:
        """The month's page; report: the report as one account may read it (web/live.py), else all of it.

        blocks: where the page's HTML blocks (tables, charts) are set aside, each replaced by a placeholder,
        so a server converts only the Markdown around them (web/live.py); None: all in the text."""
        src = month_src(month)
        report = report or self.report(month)
        block = blocks if blocks is not None else (lambda html: html)
        by_site: dict[str, list[dict]] = {}
        for k in report["kpis"]:
            by_site.setdefault(k["site"], []).append(k)
        company = report.get("company", True)
        sites = report["sites"]
        paths = downloads(month)
        title = f"{month_label(month)} 月度统计"
        lines = ["---", f"title: {title}", "---", "", f"# {title}", "",
                 f'<p class="hb-form-downloads"><a class="md-button md-button--primary" href="{attr(self._href(paths["xlsx"], src))}" download>下载 Excel</a> '
                 f'<a class="md-button" href="{attr(self._href(paths["csv"], src))}" download>下载 CSV（考核指标）</a></p>', "",
                 f"<p>统计窗口：{month_label(month)}1日0:00至次月1日0:00（{self.clause_link('3.19#4.1.1', src)}）；"
                 f"时效类指标按{self.clause_link('3.19#4.1.8', src)}判定归属月份，在途事项单列、不计入分子分母；"
                 f"比率保留1位小数，分母为0记“—”（{self.clause_link('3.19#4.1.6', src)}）。管理处：{escape('、'.join(sites))}。</p>", ""]
        kind, more = ("note", "") if report["complete"] else ("warning", ' 明细见<a href="#submissions">报送情况</a>。')
        lines += [f'<div class="admonition {kind}" id="filing"><p class="admonition-title">{escape(report["state"])}'
                  f'{"" if report["complete"] else "：报送未齐"}</p><p>{escape(filing_line(report))}{more}</p></div>', ""]
        if company:
            lines += ["## 全公司考核指标 {#company}", "", block(self.kpi_table(by_site.get(COMPANY, []), src)), ""]
            for row in by_site.get(COMPANY, []):
                note = included_line(row)
                if note:
                    lines += [f'<p class="hb-note">注：{escape(note)}</p>', ""]
        with_target = [k for k in report["kpis"] if k["target"] is not None]
        # the printed page is the manager's one- or two-page summary: details stay on screen
        lines += ['<p class="hb-print-only">各管理处明细、业务量、跨月事项和超时未完成明细见网页版或 Excel 下载。</p>', "",
                  '<div class="hb-detail" markdown>', ""]
        groups = sites + ([COMPANY] if company else [])
        lines += ["## 各管理处对比 {#compare}", "",
                  block(f'<figure class="hb-figure">{kpi_bars(with_target, groups, f"{month_label(month)}各管理处考核指标")}'
                        "<figcaption>红色虚线为目标值；红色数值为未达标。</figcaption></figure>"), ""]
        for site in sites:
            lines += [f"### {escape(site)}", "", block(self.kpi_table(by_site.get(site, []), src)), ""]
        lines += ["## 业务量 {#counts}", "", block(self.count_charts(report)) if company else "",
                  "", block(self.count_table(report, sites, company)), ""]
        lines += ["## 跨月事项 {#carryover}", "", f"<p>口径见{self.clause_link('3.19#4.5', src)}。</p>", "",
                  block(self.carry_table(report, sites)), ""]
        lines += ["## 超时未完成明细 {#overdue}", "", block(self.overdue_table(report)), "", "</div>", ""]
        lines += ["## 报送情况 {#submissions}", "", block(self.submissions_table(report)), ""]
        for note in report["notes"]:
            lines += [f'<p class="hb-note">注：{escape(note)}</p>', ""]
        return "\n".join(lines)

    # ------------------------------------------------------------ tables
    def kpi_table(self, kpis: list[dict], src: str) -> str:
        """One 管理处's (or the company's) KPI rows as a table."""
        rows = []
        for k in kpis:
            verdict = VERDICT[k["met"]] if k["met"] is not None else ("—" if k["target"] is not None else "监测")
            cls = {True: "hb-met", False: "hb-miss"}.get(k["met"], "")
            if not k["submitted"]:
                verdict, cls = "未报送", "hb-unfiled"
            change = "—" if k["change"] is None else f"{k['change']:+.1f}"
            previous = "—" if k["previous"] is None else f"{k['previous']:.1f}%"
            rows.append(
                f'<tr class="{cls}"><td>{escape(kpi_title(k))}</td><td class="hb-num">{escape(k["display"])}</td>'
                f'<td class="hb-num">{escape(k["fraction"])}</td><td class="hb-num">{"—" if k["in_transit"] is None else k["in_transit"]}</td>'
                f'<td>{escape(k["target_display"])}</td><td>{verdict}</td>'
                f'<td class="hb-num">{previous}</td>'
                f'<td class="hb-num">{change}</td><td class="hb-num">{escape(k["ytd_display"])}</td>'
                f'<td>{self.clause_link(k["clause"], src)}</td><td>{self.clause_link(k["definition"], src)}</td></tr>')
        head = "".join(f"<th>{h}</th>" for h in ("指标", "实际值", "分子 / 分母", "在途", "目标", "达标", "上月", "环比", "本年累计", "目标依据", "口径"))
        return f'<div class="hb-stats"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'

    def count_charts(self, report: dict) -> str:
        charts = []
        for cid in CHART_COUNTS:
            rows = [(c["category"], c["value"]) for c in report["counts"] if c["id"] == cid and c["site"] == COMPANY and c["category"]]
            title = next((c["title"] for c in report["counts"] if c["id"] == cid), None)
            if title:
                charts.append(f"<figure>{count_bars(f'{title}·全公司', rows)}</figure>")
        return f'<div class="hb-trends">{"".join(charts)}</div>'

    def count_table(self, report: dict, sites: list[str], company: bool = True) -> str:
        groups = sites + ([COMPANY] if company else [])
        values: dict[tuple, dict] = {}
        order: list[tuple] = []
        for c in report["counts"]:
            key = (c["title"], c["category"] or "合计")
            if key not in values:
                values[key] = {}
                order.append(key)
            values[key][c["site"]] = c["value"]
        rows = []
        last = None
        for title, category in order:
            shown = escape(title) if title != last else ""
            last = title
            cells = "".join(f'<td class="hb-num">{values[(title, category)].get(g, 0):g}</td>' for g in groups)
            rows.append(f"<tr><td>{shown}</td><td>{escape(category)}</td>{cells}</tr>")
        head = "<th>项目</th><th>分项</th>" + "".join(f"<th>{escape(g)}</th>" for g in groups)
        return f'<div class="hb-stats"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'

    def carry_table(self, report: dict, sites: list[str]) -> str:
        keys = list(CARRY_LABELS)
        rows = []
        for r in report["carryover"]:
            cells = "".join(
                f'<td class="hb-num">{r["completion_display"] if k == "completion_rate" else r[k]}</td>' for k in keys)
            strong = ' class="hb-total"' if r["site"] == COMPANY else ""
            rows.append(f"<tr{strong}><td>{escape(r['title'])}</td><td>{escape(r['site'])}</td>{cells}</tr>")
        head = "<th>表单</th><th>管理处</th>" + "".join(f"<th>{v}</th>" for v in CARRY_LABELS.values())
        return f'<div class="hb-stats"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'

    def overdue_table(self, report: dict) -> str:
        if not report["overdue"]:
            return "<p>本月没有超时未完成的事项。</p>"
        rows = "".join(
            f'<tr><td>{escape(o["site"])}</td><td>{escape(o["form_title"])}</td><td>{escape(o["no"])}</td>'
            f'<td>{escape(o["received_at"])}</td><td>{escape(o["due_at"])}</td><td class="hb-num">{o["days_overdue"]}</td>'
            f'<td>{escape(o["department"])}</td></tr>' for o in report["overdue"])
        head = "".join(f"<th>{h}</th>" for h in ("管理处", "表单", "编号", "受理时间", "规定完成时间", "已超时天数", "责任部门"))
        return f'<div class="hb-stats"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'

    def submissions_table(self, report: dict) -> str:
        rows = "".join(
            f'<tr><td>{escape(s["site"])}</td><td class="hb-num">{s["submitted"]} / {s["due"]}</td>'
            f'<td>{escape("、".join(s["missing"])) or "无缺报"}</td></tr>' for s in report["submissions"])
        return f'<div class="hb-stats"><table><thead><tr><th>管理处</th><th>已报 / 应报</th><th>缺报表单</th></tr></thead><tbody>{rows}</tbody></table></div>'

    # ------------------------------------------------------------ badges on procedure pages
    def clause_notes(self, page_src_of) -> dict[str, list[str]]:
        """'chapter#sid' → badges showing the latest company-wide value of each KPI whose target that clause sets."""
        if not self.months:
            return {}
        month = self.months[0]
        report = self.report(month)
        notes: dict[str, list[str]] = {}
        for k in report["kpis"]:
            if k["site"] != COMPANY:
                continue
            chapter = k["clause"].split("#")[0]
            href = relative(month_src(month), page_src_of(chapter), self.directory_urls) + "#company"
            if k["target"] is None:
                text, cls = f"{month_label(month)} {k['title']} {k['display']}（不设目标）", "hb-kpi"
            else:
                verdict = {True: "达标", False: "未达标", None: "无数据"}[k["met"]] if k["submitted"] else "未报送"
                text = f"{month_label(month)} {k['title']} {k['display']}（目标{k['target_display']}）{verdict}"
                cls = {True: "hb-kpi hb-kpi-met", False: "hb-kpi hb-kpi-miss", None: "hb-kpi"}[k["met"]]
            if k["left_out"]:                          # a company figure of part of the 管理处 says so
                owing = len(k["included"]) + len(k["left_out"])
                text += f"（{len(k['included'])}/{owing} 个管理处已报送）"
            notes.setdefault(k["clause"], []).append(
                f'<a class="{cls}" data-search-exclude href="{attr(href)}" title="最新月度统计">{escape(text)}</a>')
        return notes


class Blocks:
    """HTML blocks set aside while a page's Markdown is converted, then put back (StatisticsPages.month_page).

    A placeholder is an HTML comment, which Markdown passes through untouched; no user text can form one,
    as every text on these pages is escaped."""

    MARK = re.compile(r"<!--hb-block-(\d+)-->")

    def __init__(self):
        self.parts: list[str] = []

    def __call__(self, html: str) -> str:
        self.parts.append(html)
        return f"<!--hb-block-{len(self.parts) - 1}-->"

    def restore(self, html: str) -> str:
        return self.MARK.sub(lambda m: self.parts[int(m.group(1))], html)
