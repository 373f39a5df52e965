"""CLI commands of the records processor (validate, ingest, report, sample)."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

from .. import messages as m
from .validation.console import print_result
from ..commands import load_or_report



def _root(args) -> Path:
    return Path(args.root).resolve()


def _handbook(args):
    return load_or_report(args)


def _data_dir(args) -> Path:
    from .store.catalogue import data_dir_for

    return data_dir_for(_root(args), args.data_dir)


def _record_form(handbook, form_id: str):
    records = handbook.record_forms()
    choices = "、".join(f"{f.id}（{f.title}）" for f in records)
    form = handbook.form_by_id.get(form_id)
    if form is None:
        print(m.RecordUnknownForm.render(form=form_id, choices=choices), file=sys.stderr)
        return None
    if not form.is_record:
        print(m.RecordNotRecordForm.render(form=form_id, title=form.title, choices=choices), file=sys.stderr)
        return None
    return form


def _registry(args, handbook, data_dir: Path | None = None):
    """The 管理处 registry for this data dir, or None after printing why it cannot be read."""
    from .store.registry import RegistryError, load_registry

    try:
        return load_registry(_root(args), data_dir if data_dir is not None else _data_dir(args), handbook.record_forms())
    except RegistryError as exc:
        print(exc, file=sys.stderr)
        return None


def _checked(check, value):
    """check(value) or None after printing the Chinese refusal."""
    from .store.registry import RegistryError

    try:
        return check(value)
    except RegistryError as exc:
        print(exc, file=sys.stderr)
        return None


def _store_failed(exc, root) -> int:
    from .store.catalogue import Closed, StoreError

    if isinstance(exc, Closed):
        print(m.MonthClosed.render(month=exc.month, at=exc.closed["at"][:16].replace("T", " "),
                                            user=exc.closed["user"]), file=sys.stderr)
        return 1
    if isinstance(exc, StoreError):
        print(m.StoreCorrupt.render(path=exc.path, detail=exc.detail), file=sys.stderr)
    else:
        print(m.StoreUnwritable.render(path=root, detail=getattr(exc, "strerror", None) or exc), file=sys.stderr)
    return 2


def _validate(handbook, form, path: Path, engine: str = "auto"):
    from .validation.progress import Progress
    from .validation.validate import validate_file

    return validate_file(path, form, handbook.record_forms(), Progress(), engine=engine)


def _pipe_safe(handler):
    """`handbook validate … | head` must not end in a traceback when the reader stops early."""
    @functools.wraps(handler)
    def run(args):
        try:
            return handler(args)
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 141
    return run


# ---------------------------------------------------------------- commands
@_pipe_safe
def cmd_validate(args) -> int:
    handbook = _handbook(args)
    if handbook is None:
        return 2
    form = _record_form(handbook, args.form)
    if form is None:
        return 2
    result = _validate(handbook, form, Path(args.file), args.engine)
    print_result(result, args.json)
    return result.exit_code


def ingest_one(handbook, store, form, site: str, month: str, path: Path, quiet: bool = False, as_json: bool = False,
               user: str | None = None) -> int:
    """Validate one file and store it if valid; every attempt is audited (the upload page uses the same path)."""
    from .validation.intake import check_path, submit
    from .validation.progress import Progress
    from .validation.reading import UPLOAD_LIMITS

    checked = check_path(handbook, form, path, Progress(), UPLOAD_LIMITS, month=month)
    result = checked.result
    original = path.read_bytes() if path.is_file() else b""
    done = submit(handbook, store, form, site, month, original, path.name, checked=checked, user=user)
    if as_json:
        print(json.dumps({**result.as_json(), "form": form.id, "site": site, "month": month,
                          "stored": done.outcome in ("stored", "superseded", "unchanged"), "outcome": done.outcome},
                         ensure_ascii=False, indent=2))
        if not result.valid:
            return result.exit_code
        return 0
    if not result.valid:
        print_result(result, False)
        print(m.IngestRejected.render(), file=sys.stderr)
        return result.exit_code
    outcome, upload, previous = done.outcome, done.upload, done.previous
    if quiet:
        return 0
    params = {"site": site, "month": month, "title": form.title, "rows": result.rows, "sha": upload["file_sha256"][:12]}
    if outcome == "unchanged":
        print(m.IngestUnchanged.render(**params))
    elif outcome == "superseded":
        print(m.IngestSuperseded.render(**params, previous=previous["at"][:16].replace("T", " ")))
    else:
        print(m.IngestStored.render(**params))
    if result.normalized:
        print(m.RecordNormalized.render())
        for entry in result.normalized:
            print(f"  {entry['message']}")
    return 0


def _batch(path: Path) -> list[dict] | None:
    """The list `handbook sample --json` prints: [{form, site, month, path}]."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(items, list) and all({"form", "site", "month", "path"} <= set(i) for i in items)
        return items
    except (OSError, ValueError, AssertionError, TypeError):
        print(m.BadBatch.render(path=path), file=sys.stderr)
        return None


class BatchProgress:
    """One line on stderr at most once a second: a batch of 800 files is not silent for a minute."""

    def __init__(self, total: int, stream=None):
        import time

        self.total, self.stream, self.clock = total, stream or sys.stderr, time.monotonic
        self.started = self.last = self.clock()

    def step(self, done: int) -> None:
        now = self.clock()
        if now - self.last >= 1 or done == self.total:
            self.last = now
            print(m.BatchProgress.render(done=done, total=self.total, percent=done * 100 // max(self.total, 1),
                                                  seconds=int(now - self.started)), file=self.stream, flush=True)


@_pipe_safe
def cmd_ingest(args) -> int:
    from .store.catalogue import Closed, Store, StoreError

    handbook = _handbook(args)
    if handbook is None:
        return 2
    if args.batch:
        jobs = _batch(Path(args.batch))
        if jobs is None:
            return 2
    else:
        if not (args.file and args.form and args.site and args.month):
            print(m.IngestUsage.render(), file=sys.stderr)
            return 2
        jobs = [{"form": args.form, "site": args.site, "month": args.month, "path": args.file}]
    registry = _registry(args, handbook)
    if registry is None:
        return 2
    # every job is checked before the first is stored: a batch with one bad line changes nothing
    planned = []
    for job in jobs:
        form = _record_form(handbook, str(job["form"]))
        site = form and _checked(registry.site, str(job["site"]))
        month = site and _checked(registry.month, str(job["month"]))
        if not month:
            return 2
        planned.append((form, site.name, month, Path(job["path"])))
    store = Store(_data_dir(args))
    uploader = (args.user or "").strip()[:40] or None
    if uploader is None and not args.json:
        from .store.catalogue import current_user

        print(m.IngestUploaderDefault.render(user=current_user()), file=sys.stderr)
    if not args.batch:
        form, site, month, path = planned[0]
        try:
            return ingest_one(handbook, store, form, site, month, path, as_json=args.json, user=uploader)
        except (StoreError, OSError, Closed) as exc:
            return _store_failed(exc, store.root)
    from .store.batch import checks, store_checked

    progress = BatchProgress(len(planned))
    try:
        store.tidy()
    except (StoreError, OSError) as exc:
        return _store_failed(exc, store.root)
    worst = stored = 0
    results = checks(handbook, [(form.id, str(path), month) for form, _, month, path in planned])
    for n, ((form, site, month, path), checked) in enumerate(zip(planned, results), 1):
        try:
            code = store_checked(store, form, site, month, path, checked, sys.stderr, user=uploader)
        except (StoreError, OSError, Closed) as exc:
            return _store_failed(exc, store.root)
        worst = max(worst, code)
        stored += code == 0
        progress.step(n)
    print(m.BatchDone.render(stored=stored, total=len(jobs), path=store.root))
    return worst


@_pipe_safe
def cmd_withdraw(args) -> int:
    from .store.catalogue import Closed, Store, StoreError

    handbook = _handbook(args)
    if handbook is None:
        return 2
    form = _record_form(handbook, args.form)
    registry = form and _registry(args, handbook)
    site = registry and _checked(registry.site, args.site)
    from .store.registry import well_formed

    # any well-formed month: an upload from before months were bounded (say 9999-12) must be removable
    month = site and _checked(well_formed, args.month)
    if not month:
        return 2
    store = Store(_data_dir(args))
    try:
        gone = store.withdraw(form.id, site.name, month, user=None)
    except (StoreError, OSError, Closed) as exc:
        return _store_failed(exc, store.root)
    if gone is None:
        print(m.WithdrawNothing.render(site=site.name, month=month, title=form.title), file=sys.stderr)
        return 1
    print(m.WithdrawDone.render(site=site.name, month=month, title=form.title, rows=gone["rows"],
                                         at=gone["at"][:16].replace("T", " ")))
    return 0


@_pipe_safe
def cmd_close(args) -> int:
    from .store.registry import well_formed
    from .store.catalogue import Store, StoreError

    month = _checked(well_formed, args.month)
    if not month:
        return 2
    store = Store(_data_dir(args))
    try:
        changed = store.close(month, reopen=args.reopen)
    except (StoreError, OSError) as exc:
        return _store_failed(exc, store.root)
    if not changed:
        print(m.MonthAlreadyInState.render(month=month, state="未关账" if args.reopen else "已关账"),
              file=sys.stderr)
        return 1
    print((m.MonthReopened if args.reopen else m.MonthClosedDone).render(month=month))
    return 0


def cmd_sites_list(args) -> int:
    handbook = _handbook(args)
    if handbook is None:
        return 2
    registry = _registry(args, handbook)
    if registry is None:
        return 2
    if args.json:
        print(json.dumps([{"name": s.name, "forms": list(s.forms)} for s in registry.sites], ensure_ascii=False, indent=2))
        return 0
    titles = {f.id: f.title for f in handbook.record_forms()}
    for s in registry.sites:
        print(f"{s.name}\t{len(s.forms)} 种记录表：{'、'.join(titles[f] for f in s.forms)}")
    print(f"共 {len(registry.sites)} 个管理处；可报送 {registry.first_month} 至 {registry.last_month()} 的记录"
          f"（名单：{registry.path}）。")
    return 0


@_pipe_safe
def cmd_report(args) -> int:
    from .statistics.kpis import KpiDefinitionError
    from .statistics.report import Statistics
    from .store.catalogue import StoreError
    from .statistics.text import report_text
    from .statistics.workdays import WorkdaysInvalid

    handbook = _handbook(args)
    if handbook is None:
        return 2
    registry = _registry(args, handbook)
    if registry is None or not _checked(registry.month, args.month):
        return 2
    forms = None
    if args.form:
        forms = [_record_form(handbook, form_id) for form_id in args.form]
        if None in forms:
            return 2
        forms = {f.id for f in forms}
    data_dir = _data_dir(args)
    try:
        stats = Statistics(handbook, data_dir)
        if args.month not in stats.months():
            print(m.ReportNoData.render(path=data_dir, month=args.month), file=sys.stderr)
            return 1
        report = stats.report(args.month, forms)
    except (KpiDefinitionError, WorkdaysInvalid) as exc:
        print(exc.report(), file=sys.stderr)
        return 2
    except (StoreError, OSError) as exc:
        return _store_failed(exc, data_dir)
    if args.json:
        # one line: json's C encoder only runs without indent (indenting a 500-管理处 report took seconds)
        print(json.dumps(report, ensure_ascii=False, separators=(",", ":")))
    else:
        print(report_text(report, {f.id: f.title for f in handbook.record_forms()}))
    return 0


def register_sample(data_dir: Path, files: list[dict], handbook) -> None:
    """Give a sample data dir its own registry: the fictional 管理处 and months just generated."""
    from .store.registry import FILE, write_registry

    names = list(dict.fromkeys(f["site"] for f in files))
    pool = {f["site"] for f in files if handbook.form_by_id[f["form"]].due == "pool"}
    households = {f["site"]: f["households"] for f in files if f.get("households")}
    write_registry(Path(data_dir) / FILE, names, min(f["month"] for f in files), pool,
                   comment="示例数据的管理处（虚构），由 handbook sample 写入；正式数据目录不要用这个文件。",
                   households=households)


@_pipe_safe
def cmd_sample(args) -> int:
    from .sample.generate import generate

    handbook = _handbook(args)
    if handbook is None:
        return 2
    if args.months < 1 or args.sites < 1 or args.months > 120 or args.sites > 1000:
        print(m.SampleBadArgs.render(), file=sys.stderr)
        return 2
    if args.end:
        from .store.registry import well_formed

        if not _checked(well_formed, args.end):
            return 2
    out = Path(args.out)
    try:
        files = generate(handbook, out, months=args.months, sites=args.sites, seed=args.seed, end=args.end)
        if args.data_dir:
            register_sample(_data_dir(args), files, handbook)
    except OSError as exc:
        print(m.StoreUnwritable.render(path=out, detail=exc.strerror or exc), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(files, ensure_ascii=False, indent=2))
    else:
        print(m.SampleWritten.render(files=len(files), forms=len({f["form"] for f in files}),
                                              sites=args.sites, months=args.months, out=out))
    return 0


def register(sub, parser_class) -> None:
    """Add the records commands to the `handbook` CLI."""
    p = sub.add_parser("validate", help="校验填好的记录表（CSV 或 Excel），列出全部问题")
    p.add_argument("file", help="要校验的文件（.csv 或 .xlsx）")
    p.add_argument("--form", required=True, help="表单 id，如 complaint-log")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--engine", choices=["auto", "rows", "fast", "frictionless"], default="auto",
                   help="校验引擎：auto（默认，大文件用 fast）、rows（逐行校验）、fast（DuckDB，结果相同）；"
                        "frictionless 是 rows 的旧名")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("ingest", help="校验并入库一个管理处一个月的记录表")
    p.add_argument("file", nargs="?", help="要入库的文件（.csv 或 .xlsx）")
    p.add_argument("--form", help="表单 id，如 complaint-log")
    p.add_argument("--site", help="管理处名称")
    p.add_argument("--month", help="所属月份，如 2026-11")
    p.add_argument("--batch", default=None, help="批量入库：handbook sample --json 输出的文件清单")
    p.add_argument("--json", action="store_true", help="以 JSON 输出检查和入库结果（单个文件）")
    p.add_argument("--user", default=None, help="上传人（记入审计和报送情况；不写时记本机登录名）")
    p.add_argument("--data-dir", default=None, help="数据目录（默认 data/records）")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("report", help="月度统计：各管理处和全公司的指标、业务量和跨月事项")
    p.add_argument("--month", required=True, help="统计月份，如 2026-11")
    p.add_argument("--form", action="append", default=None,
                   help="只统计取自这张记录表的指标、业务量和跨月事项（可重复，如 --form complaint-log）")
    p.add_argument("--data-dir", default=None, help="数据目录（默认 data/records）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("sample", help="生成示例记录（虚构数据），用于演示和测试")
    p.add_argument("--out", required=True, help="输出目录")
    p.add_argument("--months", type=int, default=12, help="月数（默认 12）")
    p.add_argument("--sites", type=int, default=3, help="管理处个数（默认 3）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")
    p.add_argument("--end", default=None, help="最后一个月，如 2026-10（默认上个月）")
    p.add_argument("--json", action="store_true", help="以 JSON 列出生成的文件")
    p.add_argument("--data-dir", default=None,
                   help="把示例管理处登记到这个数据目录（写入其 sites.yml），之后可用 ingest --batch 入库")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser("withdraw", help="撤回已入库的记录表（管理员）：该月不再计入统计，历史保留")
    p.add_argument("--form", required=True, help="表单 id，如 complaint-log")
    p.add_argument("--site", required=True, help="管理处名称")
    p.add_argument("--month", required=True, help="所属月份，如 2026-11")
    p.add_argument("--data-dir", default=None, help="数据目录（默认 data/records）")
    p.set_defaults(func=cmd_withdraw)

    p = sub.add_parser("close", help="关账（管理员）：某月统计定稿，之后不再接收上传或撤回；--reopen 重新开账")
    p.add_argument("--month", required=True, help="月份，如 2026-10")
    p.add_argument("--reopen", action="store_true", help="重新开账")
    p.add_argument("--data-dir", default=None, help="数据目录（默认 data/records）")
    p.set_defaults(func=cmd_close)

    p = sub.add_parser("sites", help="管理处名单：各管理处及其应报送的记录表")
    sites_sub = p.add_subparsers(dest="sites_command", metavar="子命令", parser_class=parser_class)
    sites_sub.required = True
    q = sites_sub.add_parser("list", help="列出管理处及其应报送的记录表")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.add_argument("--data-dir", default=None, help="数据目录（默认 data/records）")
    q.set_defaults(func=cmd_sites_list)
