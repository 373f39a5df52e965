"""The one server: the built staff site at /, the clerks' intake at /intake/."""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import time
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import messages as m
from ..loader import load_handbook
from ..records.intake import check_bytes, submit
from ..records.registry import RegistryError, load_registry, registry_path
from ..records.store import Stale, Store, StoreError
from .accounts import Accounts
from .security import RateLimiter, UploadLimit, csrf_ok, csrf_token
from .sitebuild import SiteBuilder

TEMPLATES = Path(__file__).parent / "templates"
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
SHOWN_ERRORS = 50
SESSION_SECONDS = 8 * 3600
PENDING_SECONDS = 3600


def previous_month(today: dt.date | None = None) -> str:
    first = (today or dt.date.today()).replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


class Intake:
    def __init__(self, root: Path, data_dir: Path, max_upload_mb: int = 10):
        self.root = Path(root)
        self.data_dir = Path(data_dir)
        self.handbook = load_handbook(self.root)
        self.store = Store(self.data_dir)
        self.accounts = Accounts(self.data_dir)
        self.limiter = RateLimiter()
        self.max_upload_mb = max_upload_mb
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
        self.builder: SiteBuilder | None = None
        self._registry = (None, None)

    def registry(self):
        """The 管理处 registry, re-read when sites.yml changes."""
        path = registry_path(self.root, self.data_dir)
        stamp = (str(path), path.stat().st_mtime_ns if path.exists() else None)
        if self._registry[0] != stamp:
            self._registry = (stamp, load_registry(self.root, self.data_dir, self.handbook.record_forms()))
        return self._registry[1]

    # ------------------------------------------------------------ helpers
    def render(self, request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("user", self.user(request))
        html = self.env.get_template(template).render(org=self.handbook.organisation, csrf=csrf_token(request.session), **ctx)
        return HTMLResponse(html, status_code=status)

    def user(self, request: Request):
        name = request.session.get("user")
        if not name:
            return None
        if time.time() - request.session.get("login_at", 0) > SESSION_SECONDS:
            request.session.clear()
            return None
        return self.accounts.load().get(name)

    def sites_for(self, user) -> list[str]:
        names = self.registry().names
        return names if user.admin else [n for n in names if n in user.sites]

    def refuse(self, request: Request, message: str, status: int = 403) -> HTMLResponse:
        return self.render(request, "intake.html", status=status, message=message, **self._page_ctx(request))

    def _page_ctx(self, request: Request, site: str | None = None, month: str | None = None) -> dict:
        user = self.user(request)
        sites = self.sites_for(user)
        site = site if site in sites else (sites[0] if sites else "")
        month = month if month and MONTH.match(month) else previous_month()
        submitted = self.store.submitted(site, month) if site else {}
        versions = self.store.versions(site, month) if site else {}
        owed = self.registry().by_name[site].forms if site in self.registry().by_name else ()
        table = [{"form": form, "upload": submitted.get(form.id), "versions": versions.get(form.id, 0)}
                 for form in self.handbook.record_forms() if form.id in owed]
        status = self.builder.status()["message"] if self.builder else ""
        return {"sites": sites, "site": site, "month": month, "month_label": f"{month[:4]}年{int(month[5:])}月",
                "forms": sorted(self.handbook.record_forms(), key=lambda f: f.due == "none"),
                "selected_form": request.query_params.get("form"),
                "table": table, "max_mb": self.max_upload_mb, "stats_status": status}

    # ------------------------------------------------------------ pages
    async def login_page(self, request: Request):
        if self.user(request):
            return RedirectResponse("/intake/", status_code=303)
        return self.render(request, "login.html", name="", message=None)

    async def login(self, request: Request):
        data = await request.form()
        name = str(data.get("name", "")).strip()
        if not csrf_ok(request.session, data.get("csrf")):
            return self.render(request, "login.html", status=403, name=name, message=m.IntakeCsrf.template)
        ip = request.client.host if request.client else "?"
        keys = (f"ip:{ip}", f"user:{name}")
        if self.limiter.blocked(*keys):
            return self.render(request, "login.html", status=429, name=name, message=m.IntakeLoginLocked.template)
        user = self.accounts.authenticate(name, str(data.get("password", "")))
        if user is None:
            self.limiter.fail(*keys)
            return self.render(request, "login.html", status=401, name=name, message=m.IntakeLoginFailed.template)
        self.limiter.reset(f"user:{name}")
        request.session.clear()
        request.session.update({"user": user.name, "login_at": time.time(), "csrf": secrets.token_urlsafe(32)})
        return RedirectResponse("/intake/", status_code=303)

    async def logout(self, request: Request):
        data = await request.form()
        if csrf_ok(request.session, data.get("csrf")):
            request.session.clear()
        return RedirectResponse("/intake/login", status_code=303)

    async def home(self, request: Request):
        user = self.user(request)
        if user is None:
            return RedirectResponse("/intake/login", status_code=303)
        site = request.query_params.get("site")
        if site and not user.can_use(site):
            return self.refuse(request, m.IntakeForbiddenSite.template.format(site=site))
        return self.render(request, "intake.html", message=None,
                           **self._page_ctx(request, site, request.query_params.get("month")))

    async def status(self, request: Request):
        if self.user(request) is None:
            return JSONResponse({"error": m.IntakeLoginRequired.template}, status_code=401)
        return JSONResponse(self.builder.status() if self.builder else {"building": False, "message": ""})

    async def upload(self, request: Request):
        user = self.user(request)
        if user is None:
            return RedirectResponse("/intake/login", status_code=303)
        data = await request.form(max_files=1, max_fields=20)
        if not csrf_ok(request.session, data.get("csrf")):
            return self.refuse(request, m.IntakeCsrf.template)
        site, month, form_id = (str(data.get(k, "")).strip() for k in ("site", "month", "form"))
        try:
            site = self.registry().site(site).name
            month = self.registry().month(month)
        except RegistryError as exc:
            return self.refuse(request, str(exc), status=400)
        if not user.can_use(site):
            return self.refuse(request, m.IntakeForbiddenSite.template.format(site=site))
        form = self.handbook.form_by_id.get(form_id)
        if form is None or not form.is_record:
            return self.refuse(request, m.IntakeUnknownForm.template.format(form=form_id), status=400)
        upload = data.get("file")
        if upload is None or not hasattr(upload, "read"):
            return self.refuse(request, m.IntakeNoFile.template, status=400)
        content = await upload.read()
        filename = Path(upload.filename or "upload").name[:120]
        checked = check_bytes(self.handbook, form, content)
        result = checked.result
        ctx = {"form": form, "site": site, "month": month, "filename": filename}
        if not result.valid:
            submit(self.handbook, self.store, form, site, month, content, filename, user=user.name, checked=checked)
            return self.report(request, result, ctx, status=422)
        prev = self.store.submitted(site, month).get(form.id)
        if prev and prev["data_sha256"] != checked.data_sha256:
            token = self._park(content, filename, user.name, form.id, site, month, prev["id"])
            return self.render(request, "confirm.html", form=form, site=site, month=month, rows=result.rows,
                               previous=prev, previous_at=prev["at"][:16].replace("T", " "), token=token)
        return self._store(request, form, site, month, content, filename, user, checked, ctx,
                           expect=prev["id"] if prev else "")

    async def confirm(self, request: Request):
        user = self.user(request)
        if user is None:
            return RedirectResponse("/intake/login", status_code=303)
        data = await request.form()
        if not csrf_ok(request.session, data.get("csrf")):
            return self.refuse(request, m.IntakeCsrf.template)
        parked = self._unpark(str(data.get("token", "")), user.name)
        if parked is None:
            return self.refuse(request, m.IntakePendingGone.template, status=410)
        meta, content = parked
        form = self.handbook.form_by_id[meta["form"]]
        if not user.can_use(meta["site"]):
            return self.refuse(request, m.IntakeForbiddenSite.template.format(site=meta["site"]))
        checked = check_bytes(self.handbook, form, content)
        ctx = {"form": form, "site": meta["site"], "month": meta["month"], "filename": meta["filename"]}
        return self._store(request, form, meta["site"], meta["month"], content, meta["filename"], user, checked, ctx,
                           expect=meta.get("previous", "any"))

    def _store(self, request, form, site, month, content, filename, user, checked, ctx, expect="any"):
        result = checked.result
        try:
            sub = submit(self.handbook, self.store, form, site, month, content, filename, user=user.name,
                         checked=checked, expect=expect)
        except Stale as exc:
            newer = exc.newer
            return self.refuse(request, m.StaleUpload.template.format(
                site=site, month=month, title=form.title, at=newer["at"][:16].replace("T", " "),
                user=newer["user"] or "—"), status=409)
        except (StoreError, OSError) as exc:
            detail = exc.detail if isinstance(exc, StoreError) else (getattr(exc, "strerror", None) or "无法写入")
            return self.refuse(request, m.IntakeStoreFailed.template.format(detail=detail), status=500)
        if sub.outcome in ("stored", "superseded") and self.builder:
            self.builder.request()
        template = {"stored": m.IngestStored, "superseded": m.IngestSuperseded, "unchanged": m.IngestUnchanged}[sub.outcome]
        prev_at = sub.previous["at"][:16].replace("T", " ") if sub.previous else ""
        message = template.template.format(site=site, month=month, title=form.title, rows=result.rows,
                                           sha=sub.upload["file_sha256"][:12], previous=prev_at)
        if sub.outcome != "unchanged":
            message += " 统计页面正在后台更新，上传页面会显示更新完成的时间。"
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
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            if time.time() - old.stat().st_mtime > PENDING_SECONDS:
                old.unlink(missing_ok=True)
                old.with_suffix(".bin").unlink(missing_ok=True)
        return folder

    def _park(self, content: bytes, filename: str, user: str, form: str, site: str, month: str, previous: str) -> str:
        token = secrets.token_urlsafe(24)
        folder = self._pending_dir()
        (folder / f"{token}.bin").write_bytes(content)
        meta = {"user": user, "form": form, "site": site, "month": month, "filename": filename, "previous": previous}
        (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
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


def too_large_page(max_bytes: int) -> str:
    mb = max_bytes // (1024 * 1024)
    return ("<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>文件太大</title>"
            f"<p>{m.IntakeTooLarge.template.format(mb=mb)}</p><p><a href=\"/intake/\">返回上传页面</a></p></html>")


def create_app(root: Path, data_dir: Path, secret: str | None = None, max_upload_mb: int = 10,
               build: bool = True, watch: float | None = 1.0) -> Starlette:
    intake = Intake(root, data_dir, max_upload_mb)
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
        Route("/intake/status", intake.status, methods=["GET"]),
        Mount("/", app=site),
    ]
    middleware = [
        Middleware(UploadLimit, max_bytes=max_upload_mb * 1024 * 1024, page=too_large_page),
        Middleware(SessionMiddleware, secret_key=secret or _secret(data_dir), session_cookie="handbook_session",
                   max_age=SESSION_SECONDS, same_site="strict", https_only=False),
    ]
    app = Starlette(routes=routes, middleware=middleware)
    intake.builder = SiteBuilder(root, data_dir, switch)
    app.state.intake = intake
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
