"""The upload page, API level: login, upload, replace, and every security rule."""

from __future__ import annotations

import functools
import io
import re
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from conftest import ROOT, register_sites
from handbook.records.store.catalogue import Store
from handbook.web.accounts import Accounts
from handbook.web.app import create_app

SITE, OTHER = "东宇花园管理处", "南湖苑管理处"
HEADER = None


def complaint_csv(rows: list[list[str]], handbook) -> bytes:
    form = handbook.form_by_id["complaint-log"]
    lines = [",".join(f.label for f in form.fields)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def good_row(n: int = 1, category: str = "服务类") -> list[str]:
    values = {
        "编号": f"202610-{n:03d}", "受理时间": "2026-10-02 09:30", "投诉渠道": "来电", "房号": "3-2-1102",
        "投诉人": "测试甲", "联系电话": "13800138000", "投诉内容": "楼道灯不亮", "投诉类别": category,
        "有效": "是", "重大": "否", "责任部门": "工程部", "规定完成时间": "2026-10-03 09:30",
        "约定完成时间": "", "批准人": "", "完成时间": "2026-10-02 15:00", "处理结果": "已修复",
        "状态": "已完成", "关联编号": "", "受理人": "小王",
    }
    return list(values.values())


@functools.cache
def three_accounts() -> bytes:
    """users.json holding clerk, other and boss, written by Accounts.add once per session: each scrypt hash
    takes about 0.1 s, and a hundred tests start from these same three accounts."""
    with tempfile.TemporaryDirectory() as tmp:
        accounts = Accounts(tmp)
        accounts.add("clerk", "password-1", [SITE], admin=False)
        accounts.add("other", "password-2", [OTHER], admin=False)
        accounts.add("boss", "password-3", [], admin=True)
        return accounts.path.read_bytes()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    users = Accounts(tmp_path).path
    users.write_bytes(three_accounts())
    users.chmod(0o600)                         # as Accounts writes it
    return register_sites(tmp_path, SITE, OTHER)


@pytest.fixture
def app(data_dir):
    return create_app(ROOT, data_dir, secret="test-secret", max_upload_mb=1, build=False)


def csrf(client: TestClient, path: str = "/intake/login") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


def login(client: TestClient, name: str = "clerk", password: str = "password-1"):
    return client.post("/intake/login", data={"csrf": csrf(client), "name": name, "password": password},
                       follow_redirects=False)


@pytest.fixture
def clerk(app) -> TestClient:
    client = TestClient(app)
    assert login(client).status_code == 303
    return client


def upload(client, content: bytes, filename="投诉.csv", form="complaint-log", site=SITE, month="2026-10", token=None):
    token = token or csrf(client, "/intake/")
    return client.post("/intake/upload", data={"csrf": token, "form": form, "site": site, "month": month},
                       files={"file": (filename, content, "text/csv")})


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


# ------------------------------------------------------------------ accounts and login
def test_passwords_are_stored_only_as_strong_hashes(data_dir):
    raw = (data_dir / "users.json").read_text(encoding="utf-8")
    assert "password-1" not in raw and "scrypt$16384$" in raw


def test_anonymous_requests_under_intake_go_to_login(app):
    client = TestClient(app)
    for path in ("/intake/", "/intake/?site=x"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/intake/login"
    r = client.post("/intake/upload", data={}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/intake/login"
    assert client.get("/intake/status").status_code == 401


def test_wrong_password_is_refused_in_chinese(app):
    client = TestClient(app)
    r = login(client, password="wrong-password")
    assert r.status_code == 401 and "用户名或密码不对" in r.text


def test_login_is_rate_limited(app):
    client = TestClient(app)
    for _ in range(5):
        assert login(client, password="nope-nope").status_code == 401
    r = login(client)  # even the right password is refused while locked
    assert r.status_code == 429 and "请10分钟后再试" in r.text


def test_session_expires(app, clerk, monkeypatch):
    import handbook.web.app as web

    assert clerk.get("/intake/", follow_redirects=False).status_code == 200
    monkeypatch.setattr(web, "SESSION_SECONDS", -1)
    assert clerk.get("/intake/", follow_redirects=False).status_code == 303


def test_logout_needs_csrf_and_ends_the_session(clerk):
    token = csrf(clerk, "/intake/")
    clerk.post("/intake/logout", data={"csrf": "forged"})
    assert clerk.get("/intake/", follow_redirects=False).status_code == 200
    clerk.post("/intake/logout", data={"csrf": token})
    assert clerk.get("/intake/", follow_redirects=False).status_code == 303


# ------------------------------------------------------------------ uploads
def test_valid_upload_is_stored_and_listed(clerk, handbook, data_dir):
    r = upload(clerk, complaint_csv([good_row(1), good_row(2, "工程类")], handbook))
    assert r.status_code == 200, text(r)
    assert f"已入库：{SITE} 2026-10 投诉处理记录表，2 行记录" in text(r)
    current = Store(data_dir).slot("complaint-log", SITE, "2026-10")["current"]
    assert current["rows"] == 2 and current["user"] == "clerk"
    page = clerk.get(f"/intake/?site={SITE}&month=2026-10")
    row = re.search(r'<tr data-form="complaint-log">(.*?)</tr>', page.text, re.S).group(1)
    assert "已报送" in row and "clerk" in row and ">2<" in row
    other_row = re.search(r'<tr data-form="callback-log">(.*?)</tr>', page.text, re.S).group(1)
    assert "未报送" in other_row


def test_invalid_upload_is_reported_and_not_stored(clerk, handbook, data_dir):
    bad = good_row(1, "不存在的类别")
    r = upload(clerk, complaint_csv([good_row(2), bad], handbook))
    assert r.status_code == 422
    page = text(r)
    assert "没有计入统计" in page and "第 3 行" in page and "投诉类别" in page and "不存在的类别" in page
    assert list(Store(data_dir).current()) == []
    audit = Store(data_dir).audit_log()
    assert audit[-1]["result"] == "rejected" and audit[-1]["user"] == "clerk"


def test_report_shows_first_50_problems_with_the_total(clerk, handbook):
    rows = [good_row(i, "错") for i in range(1, 81)]
    r = upload(clerk, complaint_csv(rows, handbook))
    page = text(r)
    assert "共 80 处" in page and "显示前 50 处" in page
    assert r.text.count("<td>错</td>") == 50


def test_reupload_replaces_only_after_confirmation(clerk, handbook, data_dir):
    assert upload(clerk, complaint_csv([good_row(1)], handbook)).status_code == 200
    r = upload(clerk, complaint_csv([good_row(1), good_row(2)], handbook))
    assert "确认替换" in r.text
    slot = Store(data_dir).slot("complaint-log", SITE, "2026-10")
    assert slot["current"]["rows"] == 1  # nothing replaced yet
    token = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    r = clerk.post("/intake/confirm", data={"csrf": csrf(clerk, "/intake/"), "token": token})
    assert r.status_code == 200, text(r)
    slot = Store(data_dir).slot("complaint-log", SITE, "2026-10")
    assert slot["current"]["rows"] == 2 and len(slot["history"]) == 1


def test_same_file_twice_changes_nothing(clerk, handbook, data_dir):
    content = complaint_csv([good_row(1)], handbook)
    upload(clerk, content)
    before = Store(data_dir).slot("complaint-log", SITE, "2026-10")
    r = upload(clerk, content)
    assert r.status_code == 200 and "确认替换" not in r.text
    assert Store(data_dir).slot("complaint-log", SITE, "2026-10") == before


# ------------------------------------------------------------------ security rules
def test_clerk_cannot_see_or_upload_for_another_site(clerk, handbook, data_dir):
    r = clerk.get(f"/intake/?site={OTHER}")
    assert r.status_code == 403 and "不能查看或上传" in r.text
    r = upload(clerk, complaint_csv([good_row(1)], handbook), site=OTHER)
    assert r.status_code == 403
    assert list(Store(data_dir).current()) == []


def test_admin_sees_every_site(app, handbook):
    client = TestClient(app)
    login(client, "boss", "password-3")
    page = client.get(f"/intake/?site={OTHER}")
    assert page.status_code == 200 and f'<option value="{OTHER}" selected>' in page.text


def test_upload_without_csrf_token_is_refused(clerk, handbook, data_dir):
    r = upload(clerk, complaint_csv([good_row(1)], handbook), token="forged-token")
    assert r.status_code == 403 and "页面已过期" in r.text
    assert list(Store(data_dir).current()) == []


def test_login_without_csrf_token_is_refused(app):
    client = TestClient(app)
    client.get("/intake/login")
    r = client.post("/intake/login", data={"name": "clerk", "password": "password-1"}, follow_redirects=False)
    assert r.status_code == 403


def test_oversized_upload_gets_413_in_chinese(clerk, data_dir):
    big = b"x" * (1024 * 1024 + 10)
    r = upload(clerk, big)
    assert r.status_code == 413 and "文件太大" in r.text and "1 MB" in r.text
    assert list(Store(data_dir).current()) == []


def test_uploaded_filename_is_never_used_as_a_path(clerk, handbook, data_dir, tmp_path):
    evil = "../../../../tmp/evil.csv"
    r = upload(clerk, complaint_csv([good_row(1)], handbook), filename=evil)
    assert r.status_code == 200
    assert not Path("/tmp/evil.csv").exists()
    for path in data_dir.rglob("*"):
        assert "evil" not in path.name
    assert all(Path(p).resolve().is_relative_to(data_dir.resolve()) for p in data_dir.rglob("*"))


def test_non_table_file_is_refused_cleanly(clerk, data_dir):
    r = upload(clerk, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, filename="photo.csv")
    assert r.status_code == 422 and "无法读取这个文件" in r.text
    assert list(Store(data_dir).current()) == []


@pytest.fixture
def complaint_xlsx(handbook) -> io.BytesIO:
    """The Excel template the site publishes for 投诉处理记录表 (the build writes what artifacts() returns;
    test_forms checks it does), made without building the whole site, so make test-fast builds none."""
    from handbook.forms.publish import artifact_paths, artifacts

    form = handbook.form_by_id["complaint-log"]
    return io.BytesIO(artifacts(form, handbook)[artifact_paths(form)["xlsx"]])


def test_xlsx_zip_bomb_is_refused(clerk, data_dir, complaint_xlsx):
    # A real template whose first sheet is swapped for 300 MB that compresses to a few hundred KB.
    template = zipfile.ZipFile(complaint_xlsx)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in template.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, b"<worksheet>" + b" " * (300 * 1024 * 1024) + b"</worksheet>")
            else:
                z.writestr(info, template.read(info))
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    start = time.monotonic()
    r = upload(clerk, data, filename="bomb.xlsx")
    assert r.status_code == 422 and "解压后约有 300 MB" in text(r) and "已拒收" in text(r)
    assert time.monotonic() - start < 20


def test_uploaded_content_is_escaped(clerk, handbook):
    row = good_row(1, "<script>alert(1)</script>")
    r = upload(clerk, complaint_csv([row], handbook), filename="<img src=x onerror=alert(1)>.csv")
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    assert "<img src=x" not in r.text


def test_the_staff_site_is_served_at_the_root(app, tmp_path):
    site = tmp_path / "built"
    (site / "handbook").mkdir(parents=True)
    (site / "index.html").write_text("<h1>客服中心工作手册</h1>", encoding="utf-8")
    app.state.intake.builder.on_switch(site)
    r = TestClient(app).get("/")
    assert r.status_code == 200 and "客服中心工作手册" in r.text


def test_filled_excel_template_is_accepted(clerk, handbook, data_dir, complaint_xlsx):
    from openpyxl import load_workbook

    wb = load_workbook(complaint_xlsx)
    ws = wb["填报"]
    for col, value in enumerate(good_row(1), 1):
        ws.cell(row=2, column=col, value=value)
    buf = io.BytesIO()
    wb.save(buf)
    r = upload(clerk, buf.getvalue(), filename="投诉处理记录表.xlsx")
    assert r.status_code == 200, text(r)
    assert Store(data_dir).slot("complaint-log", SITE, "2026-10")["current"]["rows"] == 1
