"""The one server: the built staff site at /, the clerks' intake at /intake/."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import anyio

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import messages as m
from ..records.validation.diff import SHOWN as SHOWN_KEYS, compare
from ..records.validation.intake import check_bytes, detect_form, submit
from ..records.store.registry import RegistryError, load_registry, registry_path
from ..records.store.catalogue import Closed, Stale, Store, StoreError
from .accounts import Accounts
from .live import LiveStatistics
from .model import LiveHandbook
from .security import SecurityHeaders, UploadLimit, csrf_ok, signed, unsigned
from .sessions import Session, Sessions
from .sitebuild import BADGE_DELAY, SiteBuilder
from .throttle import LoginThrottle

log = logging.getLogger("handbook.web")
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "handbook_session"
LOGIN_COOKIE = "handbook_login"     # signed CSRF token for the login form, before there is a session
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SHOWN_ERRORS = 50
SESSION_SECONDS = 8 * 3600
PENDING_SECONDS = 3600
MAX_BATCH = 30                      # files in one multi-file upload (a month is about 22 record forms)


def previous_month(today: dt.date | None = None) -> str:
    first = (today or dt.date.today()).replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


class Intake:
    def __init__(self, root: Path, data_dir: Path, max_upload_mb: int = 10, secret: str = "", https: bool = False):
        self.root = Path(root)
        self.data_dir = Path(data_dir)
        self.model = LiveHandbook(self.root)
        self.store = Store(self.data_dir)
        self.accounts = Accounts(self.data_dir)
        self.sessions = Sessions(self.data_dir)
        self.throttle = LoginThrottle()
        self.secret = secret
        self.https = https
        self.max_upload_mb = max_upload_mb
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
        self.builder: SiteBuilder | None = None
        self.live = LiveStatistics(self.root, self.data_dir, lambda: self.handbook)
        self.badge_delay: float = BADGE_DELAY
        self._registry = (None, None)
        # Validation and store writes run in worker threads, at most two at a time, off the event loop.
        self.workers = anyio.CapacityLimiter(2)

    @property
    def handbook(self):
        return self.model.current

    def registry(self):
        """The 管理处 registry, re-read when sites.yml or the record forms change."""
        path = registry_path(self.root, self.data_dir)
        handbook = self.handbook
        stamp = (str(path), path.stat().st_mtime_ns if path.exists() else None, id(handbook))
        if self._registry[0] != stamp:
            self._registry = (stamp, load_registry(self.root, self.data_dir, handbook.record_forms()))
        return self._registry[1]

    async def fresh_handbook(self):
        """The handbook as the sources are now (a form edited since the last request is reloaded)."""
        return await anyio.to_thread.run_sync(self.model.refresh)

    async def work(self, fn, *args, **kwargs):
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs), limiter=self.workers)

    # ------------------------------------------------------------ helpers
    def render(self, request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("user", self.user(request))
        html = self.env.get_template(template).render(org=self.handbook.organisation, csrf=self.csrf(request), **ctx)
        response = HTMLResponse(html, status_code=status)
        new_login_token = getattr(request.state, "new_login_token", None)
        if new_login_token and self.session(request) is None:
            response.set_cookie(LOGIN_COOKIE, signed(self.secret, new_login_token), path="/intake/",
                                httponly=True, samesite="strict", secure=self.https)
        return response

    def session(self, request: Request) -> Session | None:
        if not hasattr(request.state, "session"):
            request.state.session = self.sessions.get(request.cookies.get(SESSION_COOKIE), SESSION_SECONDS)
        return request.state.session

    def user(self, request: Request):
        session = self.session(request)
        return self.accounts.load().get(session.user) if session else None

    def csrf(self, request: Request) -> str:
        """The CSRF token for forms on this page: the session's, or a signed cookie's before login."""
        expected = self.expected_csrf(request)
        if expected:
            return expected
        if not getattr(request.state, "new_login_token", None):
            request.state.new_login_token = secrets.token_urlsafe(32)
        return request.state.new_login_token

    def expected_csrf(self, request: Request) -> str | None:
        session = self.session(request)
        return session.csrf if session else unsigned(self.secret, request.cookies.get(LOGIN_COOKIE))

    def sites_for(self, user) -> list[str]:
        names = self.registry().names
        return names if user.admin else [n for n in names if n in user.sites]

    def refuse(self, request: Request, message: str, status: int = 403) -> HTMLResponse:
        return self.render(request, "intake.html", status=status, message=message, **self._page_ctx(request))

    def _page_ctx(self, request: Request, site: str | None = None, month: str | None = None) -> dict:
        user = self.user(request)
        sites = self.sites_for(user)
        site = site if site in sites else (sites[0] if sites else "")
        registry = self.registry()
        fileable = registry.months()
        month = month if month in fileable else (previous_month() if previous_month() in fileable
                                                 else (fileable[-1] if fileable else previous_month()))
        submitted = self.store.submitted(site, month) if site else {}
        versions = self.store.versions(site, month) if site else {}
        owed = registry.by_name[site].forms if site in registry.by_name else ()
        table = [{"form": form, "upload": submitted.get(form.id), "versions": versions.get(form.id, 0)}
                 for form in self.handbook.record_forms() if form.id in owed]
        status = self.builder.status()["message"] if self.builder else ""
        return {"sites": sites, "site": site, "month": month, "month_label": f"{month[:4]}年{int(month[5:])}月",
                "forms": sorted(self.handbook.record_forms(), key=lambda f: f.due == "none"),
                "selected_form": request.query_params.get("form"),
                "table": table, "max_mb": self.max_upload_mb, "stats_status": status,
                "months": [(m, f"{m[:4]}年{int(m[5:])}月") for m in reversed(fileable)]}

    # ------------------------------------------------------------ pages
    async def login_page(self, request: Request):
        if self.user(request):
            return RedirectResponse("/intake/", status_code=303)
        await self.fresh_handbook()
        return self.render(request, "login.html", name="", message=None, next=safe_next(request.query_params.get("next")))

    async def login(self, request: Request):
        data = await request.form()
        name = str(data.get("name", "")).strip()
        if not csrf_ok(self.expected_csrf(request), data.get("csrf")):
            return self.render(request, "login.html", status=403, name=name, message=m.IntakeCsrf.render())
        ip = request.client.host if request.client else "?"
        wait = self.throttle.wait(ip, name)
        if wait:
            message = (m.IntakeLoginLocked.render() if wait[0] == "ip"
                       else m.IntakeLoginBackoff.render(seconds=wait[1]))
            return self.render(request, "login.html", status=429, name=name, message=message)
        user = await anyio.to_thread.run_sync(self.accounts.authenticate, name, str(data.get("password", "")))
        if user is None:
            self.throttle.fail(ip, name)
            return self.render(request, "login.html", status=401, name=name, message=m.IntakeLoginFailed.render())
        self.throttle.succeeded(name)
        old = self.session(request)
        if old is not None:
            self.sessions.end(old.id)
        session = self.sessions.create(user.name, SESSION_SECONDS)
        landing = safe_next(str(data.get("next", ""))) or ("/statistics/" if user.viewer else "/intake/")
        response = RedirectResponse(landing, status_code=303)
        response.set_cookie(SESSION_COOKIE, session.id, max_age=SESSION_SECONDS, path="/",
                            httponly=True, samesite="strict", secure=self.https)
        response.delete_cookie(LOGIN_COOKIE, path="/intake/", httponly=True, samesite="strict", secure=self.https)
        return response

    async def logout(self, request: Request):
        data = await request.form()
        session = self.session(request)
        response = RedirectResponse("/intake/login", status_code=303)
        if session and csrf_ok(session.csrf, data.get("csrf")):
            self.sessions.end(session.id)
            response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=self.https)
        return response

    async def home(self, request: Request):
        user = self.user(request)
        if user is None:
            return RedirectResponse("/intake/login", status_code=303)
        await self.fresh_handbook()
        site = request.query_params.get("site")
        if site and not user.can_use(site):
            return self.refuse(request, m.IntakeForbiddenSite.render(site=site))
        return self.render(request, "intake.html", message=None,
                           **self._page_ctx(request, site, request.query_params.get("month")))

    async def posted(self, request: Request, **limits):
        """(user, form data, None) for a signed-in POST with a valid CSRF token, else (…, the refusal)."""
        user = self.user(request)
        if user is None:
            return None, None, RedirectResponse("/intake/login", status_code=303)
        data = await request.form(**limits)
        if not csrf_ok(self.expected_csrf(request), data.get("csrf")):
            return user, data, self.refuse(request, m.IntakeCsrf.render())
        return user, data, None

    async def withdraw(self, request: Request):
        """Admins only: ask, then take a month's current version out of the statistics (history kept, audited)."""
        user, data, refused = await self.posted(request)
        if refused:
            return refused
        if not user.admin:
            return self.refuse(request, m.IntakeWithdrawAdminOnly.render())
        form = self.handbook.form_by_id.get(str(data.get("form", "")))
        try:
            site = self.registry().site(str(data.get("site", ""))).name
            month = str(data.get("month", "")).strip()
            if not MONTH.match(month):
                raise RegistryError(m.BadMonth.render(value=month[:20]))
        except RegistryError as exc:
            return self.refuse(request, str(exc), status=400)
        if form is None or not form.is_record:
            return self.refuse(request, m.IntakeUnknownForm.render(form=str(data.get("form", ""))[:40]), status=400)
        current = self.store.submitted(site, month).get(form.id)
        if current is None:
            return self.refuse(request, m.WithdrawNothing.render(site=site, month=month, title=form.title),
                               status=404)
        if data.get("confirm") != "1" or data.get("upload") != current["id"]:
            return self.render(request, "withdraw.html", form=form, site=site, month=month, upload=current,
                               upload_at=current["at"][:16].replace("T", " "))
        try:
            gone = await self.work(self.store.withdraw, form.id, site, month, user.name)
        except Closed as exc:
            return self.refuse(request, closed_message(exc), status=409)
        except (StoreError, OSError):
            log.exception("记录库写入失败")
            return self.refuse(request, m.IntakeStoreUnavailable.render(), status=503)
        if gone is not None:
            self.after_change(month)
        message = m.WithdrawDone.render(site=site, month=month, title=form.title, rows=current["rows"],
                                                 at=current["at"][:16].replace("T", " "))
        return self.render(request, "intake.html", message=message, message_ok=True, **self._page_ctx(request, site, month))

    def after_change(self, month: str) -> None:
        """The statistics pages are live; warm the month in the background and let the built site (clause
        badges, the navigation's list of months) catch up within BADGE_DELAY seconds, without a rebuild per upload."""
        threading.Thread(target=self.live.warm, args=(month,), name="statistics-warm", daemon=True).start()
        if self.builder:
            self.builder.request(delay=self.badge_delay)

    async def status(self, request: Request):
        if self.user(request) is None:
            return JSONResponse({"error": m.IntakeLoginRequired.render()}, status_code=401)
        return JSONResponse(self.builder.status() if self.builder else {"building": False, "message": ""})

    async def upload(self, request: Request):
        user, data, refused = await self.posted(request, max_files=1, max_fields=20)
        if refused:
            return refused
        site, month, form_id = (str(data.get(k, "")).strip() for k in ("site", "month", "form"))
        try:
            site = self.registry().site(site).name
            month = self.registry().month(month)
        except RegistryError as exc:
            return self.refuse(request, str(exc), status=400)
        if not user.can_use(site):
            return self.refuse(request, m.IntakeForbiddenSite.render(site=site))
        handbook = await self.fresh_handbook()
        form = handbook.form_by_id.get(form_id)
        if form is None or not form.is_record:
            return self.refuse(request, m.IntakeUnknownForm.render(form=form_id), status=400)
        upload = data.get("file")
        if upload is None or not hasattr(upload, "read"):
            return self.refuse(request, m.IntakeNoFile.render(), status=400)
        content = await upload.read()
        filename = Path(upload.filename or "upload").name[:120]
        checked = await self.work(check_bytes, handbook, form, content, month=month)
        result = checked.result
        ctx = {"form": form, "site": site, "month": month, "filename": filename}
        if not result.valid:
            await self.work(submit, handbook, self.store, form, site, month, content, filename, user=user.name,
                            checked=checked)
            return self.report(request, result, ctx, status=422)
        prev = self.store.submitted(site, month).get(form.id)
        if prev and prev["data_sha256"] != checked.data_sha256:
            token = self._park(content, filename, user.name, form.id, site, month, prev["id"])
            changes = compare(form, self.store.read(prev), checked.canonical)
            return self.render(request, "confirm.html", form=form, site=site, month=month, rows=result.rows,
                               previous=prev, previous_at=prev["at"][:16].replace("T", " "), token=token,
                               changes=changes, shown=SHOWN_KEYS)
        return await self._store(request, form, site, month, content, filename, user, checked, ctx,
                                 expect=prev["id"] if prev else "")

    async def confirm(self, request: Request):
        user, data, refused = await self.posted(request)
        if refused:
            return refused
        parked = self._unpark(str(data.get("token", "")), user.name)
        if parked is None:
            return self.refuse(request, m.IntakePendingGone.render(), status=410)
        meta, content = parked
        handbook = await self.fresh_handbook()
        form = handbook.form_by_id.get(meta["form"])
        if form is None or not form.is_record:
            return self.refuse(request, m.IntakeUnknownForm.render(form=meta["form"]), status=400)
        if not user.can_use(meta["site"]):
            return self.refuse(request, m.IntakeForbiddenSite.render(site=meta["site"]))
        checked = await self.work(check_bytes, handbook, form, content, month=meta["month"])
        ctx = {"form": form, "site": meta["site"], "month": meta["month"], "filename": meta["filename"]}
        return await self._store(request, form, meta["site"], meta["month"], content, meta["filename"], user,
                                 checked, ctx, expect=meta.get("previous", "any"))

    # ------------------------------------------------------------ several files at once
    async def batch(self, request: Request):
        """Several files for one 管理处 and month: each matched to its form by its header, for the clerk to confirm."""
        user, data, refused = await self.posted(request, max_files=MAX_BATCH, max_fields=20)
        if refused:
            return refused
        try:
            site = self.registry().site(str(data.get("site", ""))).name
            month = self.registry().month(str(data.get("month", "")))
        except RegistryError as exc:
            return self.refuse(request, str(exc), status=400)
        if not user.can_use(site):
            return self.refuse(request, m.IntakeForbiddenSite.render(site=site))
        files = [f for f in data.getlist("files") if hasattr(f, "read") and f.filename]
        if not files:
            return self.refuse(request, m.IntakeNoFile.render(), status=400)
        handbook = await self.fresh_handbook()
        owed = [f for f in handbook.record_forms() if self.registry().owes(site, f.id) or f.due == "none"]
        current = self.store.submitted(site, month)
        rows = []
        for upload in files:
            content = await upload.read()
            filename = Path(upload.filename).name[:120]
            form = await self.work(detect_form, handbook, content)
            token = self._park(content, filename, user.name, form.id if form else "", site, month,
                               json.dumps({k: v["id"] for k, v in current.items()}))
            rows.append({"filename": filename, "token": token, "form": form,
                         "current": current.get(form.id) if form else None})
        return self.render(request, "batch_match.html", site=site, month=month, rows=rows, forms=owed,
                           month_label=f"{month[:4]}年{int(month[5:])}月")

    async def batch_confirm(self, request: Request):
        user, data, refused = await self.posted(request, max_fields=2 * MAX_BATCH + 5)
        if refused:
            return refused
        handbook = await self.fresh_handbook()
        rows, failed, site, month = [], 0, "", ""
        for token in data.getlist("token")[:MAX_BATCH]:
            parked = self._unpark(str(token), user.name)
            if parked is None:
                continue
            meta, content = parked
            site, month = meta["site"], meta["month"]
            form = handbook.form_by_id.get(str(data.get(f"form-{token}", "")))
            row = {"filename": meta["filename"], "title": form.title if form else "—", "ok": False, "problems": []}
            rows.append(row)
            if form is None or not form.is_record:
                row["outcome"], failed = "未入库：没有选择记录表", failed + 1
                continue
            if not user.can_use(site):
                row["outcome"], failed = m.IntakeForbiddenSite.render(site=site), failed + 1
                continue
            seen = json.loads(meta.get("previous") or "{}")
            checked = await self.work(check_bytes, handbook, form, content, month=month)
            try:
                sub = await self.work(submit, handbook, self.store, form, site, month, content, meta["filename"],
                                      user=user.name, checked=checked, expect=seen.get(form.id, ""))
            except Closed as exc:
                row["outcome"], failed = closed_message(exc), failed + 1
                continue
            except Stale:
                row["outcome"], failed = "未入库：确认之前已有更新的版本，请先查看再单独上传", failed + 1
                continue
            result = checked.result
            if not result.valid:
                failed += 1
                row["outcome"] = (result.unusable.message if result.unusable else
                                  f"未入库：{len(result.errors)} 处问题")
                row["problems"] = [e.message for e in result.errors[:3]]
                continue
            row["ok"] = True
            row["outcome"] = {"stored": f"已入库（{result.rows} 行）", "superseded": f"更正版已替换（{result.rows} 行）",
                              "unchanged": "内容与已入库的版本相同，未作改动"}[sub.outcome]
            if sub.outcome != "unchanged":
                self.after_change(month)
        if not rows:
            return self.refuse(request, m.IntakePendingGone.render(), status=410)
        return self.render(request, "batch_report.html", rows=rows, failed=failed, site=site, month=month,
                           month_label=f"{month[:4]}年{int(month[5:])}月", status=200 if not failed else 422)

    async def _store(self, request, form, site, month, content, filename, user, checked, ctx, expect="any"):
        result = checked.result
        try:
            sub = await self.work(submit, self.handbook, self.store, form, site, month, content, filename,
                                  user=user.name, checked=checked, expect=expect)
        except Closed as exc:
            return self.refuse(request, closed_message(exc), status=409)
        except Stale as exc:
            newer = exc.newer
            return self.refuse(request, m.StaleUpload.render(
                site=site, month=month, title=form.title, at=newer["at"][:16].replace("T", " "),
                user=newer["user"] or "—"), status=409)
        except (StoreError, OSError):
            log.exception("记录库写入失败")
            return self.refuse(request, m.IntakeStoreUnavailable.render(), status=503)
        if sub.outcome in ("stored", "superseded"):
            self.after_change(month)
        template = {"stored": m.IngestStored, "superseded": m.IngestSuperseded, "unchanged": m.IngestUnchanged}[sub.outcome]
        prev_at = sub.previous["at"][:16].replace("T", " ") if sub.previous else ""
        message = template.render(site=site, month=month, title=form.title, rows=result.rows,
                                           sha=sub.upload["file_sha256"][:12], previous=prev_at)
        if sub.outcome != "unchanged":
            message += " 月度统计已按这次上传计算，刷新统计页面即可看到；手册页面上的指标标记几分钟内随网站更新。"
        return self.report(request, result, ctx, outcome_message=message)

    def report(self, request, result, ctx, status: int = 200, outcome_message: str = ""):
        errors = result.errors[:SHOWN_ERRORS]
        groups: list[dict] = []
        for issue in sorted(errors, key=lambda e: (e.row is None, e.row or 0)):
            label = f"第 {issue.row} 行" if issue.row else "整个文件"
            if not groups or groups[-1]["label"] != label:
                groups.append({"label": label, "issues": []})
            groups[-1]["issues"].append(issue)
        return self.render(request, "report.html", status=status, errors=errors, groups=groups,
                           total_errors=len(result.errors), shown=SHOWN_ERRORS, normalized=result.normalized,
                           unusable=result.unusable.message if result.unusable else None,
                           outcome_message=outcome_message, **ctx)

    # ------------------------------------------------------------ pending replacements
    def _pending_dir(self) -> Path:
        folder = self.data_dir / "pending"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        folder.chmod(0o700)
        for old in folder.glob("*.json"):
            if time.time() - old.stat().st_mtime > PENDING_SECONDS:
                old.unlink(missing_ok=True)
                old.with_suffix(".bin").unlink(missing_ok=True)
        return folder

    def _park(self, content: bytes, filename: str, user: str, form: str, site: str, month: str, previous: str) -> str:
        token = secrets.token_urlsafe(24)
        folder = self._pending_dir()
        meta = {"user": user, "form": form, "site": site, "month": month, "filename": filename, "previous": previous}
        _write_private(folder / f"{token}.bin", content)
        _write_private(folder / f"{token}.json", json.dumps(meta, ensure_ascii=False).encode("utf-8"))
        return token

    def _unpark(self, token: str, user: str):
        if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", token):
            return None
        folder = self._pending_dir()
        meta_path, bin_path = folder / f"{token}.json", folder / f"{token}.bin"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            content = bin_path.read_bytes()
        except (OSError, ValueError):
            return None
        if meta.get("user") != user:
            return None
        meta_path.unlink(missing_ok=True)
        bin_path.unlink(missing_ok=True)
        return meta, content


class StatisticsGate:
    """The staff site, with its 月度统计 section (pages and downloads) for signed-in accounts only:
    every estate's figures and overdue record numbers are not for any PC on the network."""

    PREFIX = "/statistics"

    def __init__(self, site, intake: Intake):
        self.site, self.intake = site, intake

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == self.PREFIX or path.startswith(self.PREFIX + "/")):
            if self.intake.user(Request(scope, receive)) is None:
                target = path if path.startswith(self.PREFIX + "/") else self.PREFIX + "/"
                response = RedirectResponse("/intake/login?" + urlencode({"next": target}), status_code=303)
                response.headers["Cache-Control"] = "no-store"
                return await response(scope, receive, send)

            async def private(message):
                if message["type"] == "http.response.start":
                    message["headers"] = [(k, v) for k, v in message["headers"] if k.lower() != b"cache-control"]
                    message["headers"].append((b"cache-control", b"private, no-store"))
                await send(message)

            if scope.get("method") in ("GET", "HEAD"):
                user = self.intake.user(Request(scope, receive))
                site_dir = Path(self.site.all_directories[0]) if self.site.all_directories else None
                live = await anyio.to_thread.run_sync(self.intake.live.render, path, user, site_dir)
                if live is not None:
                    body, media, name = live
                    response = Response(body, media_type=media)
                    if name:
                        response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
                    return await response(scope, receive, private)
            return await self.site(scope, receive, private)
        return await self.site(scope, receive, send)


def safe_next(value: str | None) -> str | None:
    """Where to go after login: only a page of the statistics section on this server."""
    if value and value.startswith("/statistics/") and "//" not in value and "\\" not in value and len(value) < 300:
        return value
    return None


def closed_message(exc: Closed) -> str:
    return m.MonthClosed.render(month=exc.month, at=exc.closed["at"][:16].replace("T", " "),
                                         user=exc.closed["user"])


def _write_private(path: Path, data: bytes) -> None:
    """Write a new file readable only by the server's account (parked uploads hold personal data)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def too_large_page(max_bytes: int) -> str:
    mb = max_bytes // (1024 * 1024)
    return ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>文件太大</title>"
            f"<p>{m.IntakeTooLarge.render(mb=mb)}</p><p><a href=\"/intake/\">返回上传页面</a></p></html>")


def unavailable_page() -> str:
    return ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>记录库暂时无法使用</title>"
            f"<p>{m.IntakeStoreUnavailable.render()}</p><p><a href=\"/intake/\">返回上传页面</a></p></html>")


async def store_unavailable(request: Request, exc: Exception) -> Response:
    """The data dir cannot be written (or read): a Chinese page that names no server path; details go to the log."""
    log.error("记录库无法使用（%s %s）：%r", request.method, request.url.path, exc)
    if request.url.path == "/intake/status":
        return JSONResponse({"error": m.IntakeStoreUnavailable.render()}, status_code=503)
    return HTMLResponse(unavailable_page(), status_code=503)


def create_app(root: Path, data_dir: Path, secret: str | None = None, max_upload_mb: int = 10,
               build: bool = True, watch: float | None = 1.0, https: bool = False,
               badge_delay: float = BADGE_DELAY) -> Starlette:
    intake = Intake(root, data_dir, max_upload_mb, secret=secret or _secret(data_dir), https=https)
    intake.badge_delay = badge_delay
    site = StaticFiles(directory=str(root), html=True, check_dir=False)
    site.all_directories = []

    def switch(folder: Path) -> None:
        site.all_directories = [str(folder)]

    routes = [
        Route("/intake/login", intake.login_page, methods=["GET"]),
        Route("/intake/login", intake.login, methods=["POST"]),
        Route("/intake/logout", intake.logout, methods=["POST"]),
        Route("/intake/", intake.home, methods=["GET"]),
        Route("/intake", lambda r: RedirectResponse("/intake/", status_code=307)),
        Route("/intake/upload", intake.upload, methods=["POST"]),
        Route("/intake/confirm", intake.confirm, methods=["POST"]),
        Route("/intake/withdraw", intake.withdraw, methods=["POST"]),
        Route("/intake/batch", intake.batch, methods=["POST"]),
        Route("/intake/batch/confirm", intake.batch_confirm, methods=["POST"]),
        Route("/intake/status", intake.status, methods=["GET"]),
        Mount("/intake/static", app=StaticFiles(directory=str(STATIC))),
        Mount("/", app=StatisticsGate(site, intake)),
    ]
    middleware = [
        Middleware(SecurityHeaders, hsts=https),
        Middleware(UploadLimit, max_bytes=max_upload_mb * 1024 * 1024, page=too_large_page),
    ]
    handlers = {OSError: store_unavailable, sqlite3.Error: store_unavailable, StoreError: store_unavailable}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    intake.builder = SiteBuilder(root, data_dir, switch)
    app.state.intake = intake
    app.state.switch = switch
    if build:
        intake.builder.build_now()
        intake.builder.start(watch)
    return app


def _secret(data_dir: Path) -> str:
    """A per-installation session key kept beside the records (never in the repository)."""
    path = Path(data_dir) / "secret.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
