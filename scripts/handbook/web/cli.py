"""`handbook user …` and `handbook serve`: accounts and the one server."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import messages as m
from ..commands import load_or_report

def _data_dir(args) -> Path:
    from ..records.store.catalogue import data_dir_for

    return data_dir_for(Path(args.root).resolve(), args.data_dir)


def cmd_user_add(args) -> int:
    from .accounts import MIN_PASSWORD, Accounts

    if not args.admin and not args.viewer and not args.site:
        print(m.UserNoSite.render(), file=sys.stderr)
        return 2
    if args.site:
        from ..records.store.registry import RegistryError, load_registry

        handbook = load_or_report(args)
        if handbook is None:
            return 2
        try:
            registry = load_registry(Path(args.root).resolve(), _data_dir(args), handbook.record_forms())
            args.site = [registry.site(s).name for s in args.site]
        except RegistryError as exc:
            print(exc, file=sys.stderr)
            return 2
    password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD:
        print(m.UserPasswordTooShort.render(min=MIN_PASSWORD), file=sys.stderr)
        return 2
    data_dir = _data_dir(args)
    user = Accounts(data_dir).add(args.name, password, args.site or [], args.admin, args.viewer)
    _end_sessions(data_dir, user.name)
    scope = ("管理员，可查看全部管理处" if user.admin else "只读：查看月度统计" if user.viewer
             else "管理处：" + "、".join(user.sites))
    print(m.UserAdded.render(name=user.name, scope=scope))
    return 0


def cmd_user_list(args) -> int:
    from .accounts import Accounts

    users = Accounts(_data_dir(args)).load()
    if not users:
        print("还没有账号。用 handbook user add 用户名 --site 管理处 添加（密码从标准输入读取）。")
    for user in sorted(users.values(), key=lambda u: u.name):
        print(f"{user.name}\t{'管理员' if user.admin else '、'.join(user.sites)}")
    return 0


def cmd_user_remove(args) -> int:
    from .accounts import Accounts

    data_dir = _data_dir(args)
    if not Accounts(data_dir).remove(args.name):
        print(m.UserUnknown.render(name=args.name), file=sys.stderr)
        return 1
    _end_sessions(data_dir, args.name)
    print(m.UserRemoved.render(name=args.name))
    return 0


def _end_sessions(data_dir: Path, name: str) -> None:
    """A changed password or a removed account logs that user out everywhere."""
    from .sessions import Sessions

    ended = Sessions(data_dir).end_user(name)
    if ended:
        print(f"已让“{name}”在 {ended} 处的登录失效，需要重新登录。")


class _Terminated(Exception):
    pass


def _on_sigterm(signum, frame):
    raise _Terminated()


def server_config(app, host: str, port: int, proxy: str | None):
    """uvicorn settings for `handbook serve`. X-Forwarded-For/-Proto are trusted only from the proxy
    named with --proxy; uvicorn on its own would trust them from 127.0.0.1."""
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, log_level="warning",
                          proxy_headers=bool(proxy), forwarded_allow_ips=proxy or None)


def cmd_serve(args) -> int:
    import signal

    import uvicorn

    from .app import create_app

    root = Path(args.root).resolve()
    busy = _port_problem(args.host, args.port)
    if busy:
        print(f"无法在 {args.host}:{args.port} 启动：{busy}。请换一个端口（--port）。", file=sys.stderr)
        return 2
    try:
        app = create_app(root, _data_dir(args), https=args.https)
    except m.ProblemsFound as exc:
        print(exc.report(root), file=sys.stderr)
        print("未启动：请先改正上面的问题。", file=sys.stderr)
        return 1
    print(f"员工网站：http://{args.host}:{args.port}/    记录上传：http://{args.host}:{args.port}/intake/  （按 Ctrl+C 停止）",
          flush=True)
    server = uvicorn.Server(server_config(app, args.host, args.port, args.proxy))
    # uvicorn stops on SIGTERM and then re-raises it; without a handler of ours the process would die
    # before the clean-up below, leaving the built site in /tmp.
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        server.run()
    except _Terminated:
        pass
    except (OSError, SystemExit):
        print(f"无法在 {args.host}:{args.port} 启动：端口已被占用或无权使用。请换一个端口（--port）。", file=sys.stderr)
        return 2
    finally:
        app.state.intake.builder.stop()
    return 0


def _port_problem(host: str, port: int) -> str | None:
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        return "地址无法识别"
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError as exc:
            return "端口已被占用" if exc.errno == 98 else (exc.strerror or str(exc))
    return None


def register(sub, parser_class) -> None:
    p = sub.add_parser("user", help="记录上传的账号：添加、列出、删除")
    users = p.add_subparsers(dest="user_command", metavar="子命令", parser_class=parser_class)
    users.required = True
    q = users.add_parser("add", help="添加或修改账号（密码从标准输入读取）")
    q.add_argument("name", help="用户名")
    q.add_argument("--site", action="append", help="所属管理处（可多次使用）")
    q.add_argument("--admin", action="store_true", help="管理员：可查看和上传全部管理处")
    q.add_argument("--viewer", action="store_true", help="只读账号：登录后查看月度统计，不能上传（如管理处主任、经理）")
    q.add_argument("--data-dir", default=None, help="数据目录（默认 data/records）")
    q.set_defaults(func=cmd_user_add)
    q = users.add_parser("list", help="列出账号")
    q.add_argument("--data-dir", default=None, help="数据目录（默认 data/records）")
    q.set_defaults(func=cmd_user_list)
    q = users.add_parser("remove", help="删除账号")
    q.add_argument("name", help="用户名")
    q.add_argument("--data-dir", default=None, help="数据目录（默认 data/records）")
    q.set_defaults(func=cmd_user_remove)

    p = sub.add_parser("serve", help="启动服务器：员工网站（/）和记录上传（/intake/）；修改 YAML 后自动更新")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    p.add_argument("--data-dir", default=None, help="数据目录（默认 data/records）")
    p.add_argument("--https", action="store_true",
                   help="用户经 HTTPS 访问（由前面的代理加密）：登录 Cookie 只经 HTTPS 发送")
    p.add_argument("--proxy", nargs="?", const="127.0.0.1", default=None, metavar="代理地址",
                   help="在反向代理之后运行：信任该地址（默认 127.0.0.1）发来的 X-Forwarded-For/-Proto")
    p.set_defaults(func=cmd_serve)
