"""The `handbook` command: check, build, serve."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sys
from pathlib import Path

from .document_control import approve
from .commands import load_or_report, root_of as _root
from .loader import load_handbook
from . import messages as m
from .messages import ProblemsFound

CONFIG_FILE = "mkdocs.yml"


def records_problems(handbook) -> tuple[list[str], list[str]]:
    """What `report` reads besides the handbook: data/kpis.yml, data/workdays.yml and the KPI builders."""
    from .records.statistics import items, workdays
    from .records.statistics.kpis import KpiDefinitionError, load_definitions

    errors: list[str] = []
    try:
        load_definitions(handbook)
    except KpiDefinitionError as exc:
        errors += [m.KpiDefinitionProblem.render(path=exc.path.name, detail=d) for d in exc.details]
    path = Path(handbook.root) / workdays.WORKDAYS_FILE
    warnings: list[str] = []
    if path.exists():
        bad, warnings = workdays.problems(path)
        errors += bad
    errors += items.dry_run(handbook)
    return errors, warnings


def cmd_check(args) -> int:
    handbook = load_or_report(args)
    if handbook is None:
        return 1
    from .records.store.registry import RegistryError, load_registry

    try:    # the project's 管理处 registry (a data dir's own sites.yml is checked where it is used)
        registry = load_registry(_root(args), None, handbook.record_forms())
    except RegistryError as exc:
        print(exc, file=sys.stderr)
        return 1
    errors, warnings = records_problems(handbook)
    for line in warnings:
        print("提醒：" + line)
    if errors:
        print("记录和统计的配置有误：", file=sys.stderr)
        for line in errors:
            print("  " + line, file=sys.stderr)
        return 1
    n_clauses = sum(1 for p in handbook.procedures for _ in p.clauses())
    pending = "、".join(f"{status} {n} 个" for status in ("草案", "待审", "作废")
                        if (n := sum(p.status == status for p in handbook.procedures)))
    print(f"检查通过：{len(handbook.procedures)} 个手册条目" + (f"（其中{pending}）" if pending else "") + f"，{n_clauses} 条条款；"
          f"管理处名单 {len(registry.sites)} 个管理处。")
    return 0


def cmd_approve(args) -> int:
    """Record a review (→ 待审) or an approval (→ 现行) in the chapter's or form's YAML; 2 refused, 1 fails check."""
    root = _root(args)

    def check():
        try:
            load_handbook(root)
        except ProblemsFound as exc:
            return exc
        return None

    code, message = approve(root, args.target, args.by, args.review, args.date, check)
    print(message, file=sys.stderr if code else sys.stdout)
    return code


def _mkdocs_config(root: Path, **overrides):
    from mkdocs.config import load_config

    config_file = root / CONFIG_FILE
    if not config_file.exists():
        raise FileNotFoundError(config_file)
    return load_config(str(config_file), **overrides)


def cmd_build(args) -> int:
    root = _root(args)
    if cmd_check(args) != 0:
        print("未构建网站：请先改正上面的问题。", file=sys.stderr)
        return 1
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    from .site.buildlog import chinese_build_log, failure_message

    site_dir = Path(args.site_dir).resolve() if args.site_dir else root / "site"
    print("正在生成网站……", flush=True)
    with chinese_build_log() as log:
        try:
            config = _mkdocs_config(root, site_dir=str(site_dir), strict=args.strict)
            build(config)
        except FileNotFoundError as exc:
            print(f"找不到网站配置文件 {exc}。", file=sys.stderr)
            return 2
        except MkDocsException as exc:
            print(f"网站构建失败：{failure_message(exc)}", file=sys.stderr)
            return 1
    took = f"（用时 {log.seconds:.1f} 秒）" if log.seconds is not None else ""
    print(f"网站已生成：{site_dir}{took}")
    return 0


def cmd_forms_list(args) -> int:
    handbook = load_or_report(args)
    if handbook is None:
        return 1
    from .forms.publish import artifact_paths

    rows = []
    for form in handbook.forms:
        paths = artifact_paths(form)
        row = {
            "id": form.id, "title": form.title, "kind": form.kind, "procedure": form.procedure,
            "pages": form.paper.pages, "status": form.status,
            "fields": [{"id": f.id, "label": f.label, "type": f.type, "required": f.required} for f in form.fields],
            "print": paths["print"],
        }
        if form.is_record:
            row |= {"csv": paths["csv"], "xlsx": paths["xlsx"], "schema": paths["schema"]}
        rows.append(row)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    kinds = {"record": "记录表", "form": "单据", "checklist": "检查表"}
    for form in handbook.forms:
        print(f"{form.number:<12} {form.id:<28} {kinds[form.kind]:<4} {form.procedure:<12} {form.title}")
    print(f"共 {len(handbook.forms)} 种表单（记录表 {len(handbook.record_forms())} 种）。")
    return 0


# Placeholders shown in help for values (argparse would print the option name in capitals).
METAVARS = {
    "root": "目录", "site_dir": "目录", "data_dir": "目录", "out": "目录", "file": "文件", "batch": "文件",
    "form": "表单", "site": "管理处", "month": "年-月", "end": "年-月", "months": "月数", "sites": "个数",
    "seed": "数字", "name": "用户名", "host": "地址", "port": "端口", "by": "姓名", "date": "年-月-日",
}


class ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def _get_default_metavar_for_optional(self, action):
        return METAVARS.get(action.dest, "值")

    def _get_default_metavar_for_positional(self, action):
        return METAVARS.get(action.dest, action.dest)


class ChineseParser(argparse.ArgumentParser):
    """argparse with its own words in Chinese: usage, section titles, -h, and error messages."""

    TRANSLATIONS = {
        "unrecognized arguments": "无法识别的参数",
        "the following arguments are required": "缺少必需的参数",
        "invalid choice": "无效的选项",
        "expected one argument": "需要一个值",
        "expected at least one argument": "至少需要一个值",
        "ambiguous option": "选项不明确",
        "could match": "可能是",
        "not allowed with argument": "不能与以下参数同用：",
        "invalid int value": "应为整数",
        "invalid float value": "应为数字",
        "argument ": "参数 ",
        "choose from": "可选",
    }

    def __init__(self, *args, add_help: bool = True, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示本帮助并退出")

    def error(self, message):
        for english, chinese in self.TRANSLATIONS.items():
            message = message.replace(english, chinese)
        message = message.replace(": ", "：")
        self.print_usage(sys.stderr)
        self.exit(2, f"参数有误：{message}\n请运行 handbook --help 查看用法。\n")


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="handbook", description="客服中心工作手册：检查、构建和预览员工网站。")
    parser.add_argument("--root", default=".", help="项目目录（默认当前目录）")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)
    sub.required = True

    p = sub.add_parser("check", help="检查全部手册条目，列出所有问题")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("build", help="检查后生成员工网站")
    p.add_argument("--site-dir", default=None, help="输出目录（默认 site/）")
    p.add_argument("--strict", action="store_true", help="有任何警告即视为失败")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("approve", help="记录审核或批准：改写该章或表单的状态、签署栏和修订记录")
    p.add_argument("target", metavar="章节号或表单编号", help="如 3.8 或 complaint-log")
    p.add_argument("--by", default=None, help="审核人或批准人的姓名（必填）")
    p.add_argument("--review", action="store_true", help="记录审核（状态改为“待审”，等待批准）；不加则记录批准（状态改为“现行”）")
    p.add_argument("--date", default=None, help="签署日期 YYYY-MM-DD（默认今天）")
    p.set_defaults(func=cmd_approve)

    p = sub.add_parser("forms", help="表单：列出全部表单")
    forms_sub = p.add_subparsers(dest="forms_command", metavar="子命令", parser_class=ChineseParser)
    forms_sub.required = True
    q = forms_sub.add_parser("list", help="列出全部表单及其生成文件")
    q.add_argument("--json", action="store_true", help="以 JSON 输出")
    q.set_defaults(func=cmd_forms_list)

    from .records.cli import register as register_records

    register_records(sub, ChineseParser)

    from .web.cli import register as register_web

    register_web(sub, ChineseParser)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The `handbook` command itself (tests call main() in their own process)."""
    code = main()
    # The interpreter's last cycle collection would walk every object the command made or imported (the
    # handbook model, pydantic, DuckDB): 0.1–0.2 s at every exit (measured). Frozen, they are left to the
    # end of the process; atexit handlers, finalizers and non-daemon threads still run as usual.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    run()
