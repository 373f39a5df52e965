"""`handbook ingest`: only valid files for registered 管理处 and fileable months stored; atomic, idempotent,
corrections kept in history, withdrawals audited, crash- and concurrency-safe; old stores migrated once."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, register_sites
from handbook.cli import main
from handbook.records.store.catalogue import CATALOGUE, Store

FIXTURE = ROOT / "tests" / "fixtures" / "records" / "第二管理处" / "2026-03" / "complaint-log.csv"
SRC = str(ROOT / "scripts")
SITES = ("东湖花园管理处", "翠微苑管理处", "同一处") + tuple(f"管理处{i}" for i in range(5))


@pytest.fixture
def data(tmp_path) -> Path:
    return register_sites(tmp_path / "store", *SITES)


def ingest(path: Path, data: Path, site="东湖花园管理处", month="2026-03", form="complaint-log") -> int:
    return main(["--root", str(ROOT), "ingest", str(path), "--form", form, "--site", site, "--month", month,
                 "--data-dir", str(data)])


def state(data: Path) -> dict:
    """What the store holds: catalogue rows (not the audit) and every file under objects/ and uploads/."""
    files = {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*"))
             if p.is_file() and p.parts[len(data.parts)] in ("objects", "uploads")}
    if not (data / CATALOGUE).exists():
        return {"files": files}
    with sqlite3.connect(data / CATALOGUE) as con:
        return {"files": files, "uploads": con.execute("SELECT * FROM uploads ORDER BY seq").fetchall(),
                "current": con.execute("SELECT * FROM current ORDER BY form, site, month").fetchall()}


def corrected(tmp_path: Path, name="更正.csv") -> Path:
    text = FIXTURE.read_text(encoding="utf-8").replace("2026-03-09 11:00", "2026-03-09 12:00")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_is_stored_and_audited(data, capsys):
    assert ingest(FIXTURE, data) == 0
    assert "已入库：东湖花园管理处 2026-03 投诉处理记录表，1 行记录" in capsys.readouterr().out
    store = Store(data)
    [(form, site, month, upload)] = list(store.current())
    assert (form, site, month, upload["rows"]) == ("complaint-log", "东湖花园管理处", "2026-03", 1)
    assert store.read(upload).decode("utf-8").startswith("编号,受理时间")
    [entry] = store.audit_log()
    assert entry["result"] == "stored" and entry["rows"] == 1 and len(entry["file_sha256"]) == 64
    assert entry["user"] and entry["at"] and entry["form"] == "complaint-log"


def test_records_are_private_to_the_server_account(data):
    assert ingest(FIXTURE, data) == 0
    upload = next(iter(Store(data).current()))[3]
    for rel in (upload["object"], upload["original"], CATALOGUE):
        assert stat.S_IMODE((data / rel).stat().st_mode) == 0o600, rel
    for folder in ((data / upload["object"]).parent, (data / upload["original"]).parent, data / "objects"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_the_same_file_twice_changes_nothing(data, capsys):
    assert ingest(FIXTURE, data) == 0
    before = state(data)
    assert ingest(FIXTURE, data) == 0
    assert "内容与已入库的版本相同，未作改动" in capsys.readouterr().out
    assert state(data) == before
    assert [e["result"] for e in Store(data).audit_log()] == ["stored", "unchanged"]


def test_a_correction_supersedes_and_the_earlier_upload_stays_in_history(data, tmp_path, capsys):
    assert ingest(FIXTURE, data) == 0
    first = next(iter(Store(data).current()))[3]
    assert ingest(corrected(tmp_path), data) == 0
    assert "更正版" in capsys.readouterr().out
    slot = Store(data).slot("complaint-log", "东湖花园管理处", "2026-03")
    assert slot["current"]["data_sha256"] != first["data_sha256"]
    assert slot["history"] == [first]
    assert (data / first["object"]).exists()
    assert [e["result"] for e in Store(data).audit_log()] == ["stored", "superseded"]


def test_an_invalid_file_is_not_stored_but_the_attempt_is_audited(data, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(FIXTURE.read_text(encoding="utf-8").replace("服务类", "维修类"), encoding="utf-8")
    assert ingest(bad, data) == 1
    captured = capsys.readouterr()
    assert "不在可选范围内" in captured.out and "未入库" in captured.err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert ingest(empty, data) == 2
    assert list(Store(data).current()) == []
    assert [e["result"] for e in Store(data).audit_log()] == ["rejected", "unusable"]


@pytest.mark.parametrize("site,month,says", [
    ("东湖花园管理处", "2026-3", "月份“2026-3”格式不对"),
    ("东湖花园管理处", "9999-12", "不在可报送的范围内：只能报送 2025-01 至"),
    ("东湖花园管理处", "2099-12", "不在可报送的范围内"),
    ("东湖花园管理处", "2024-12", "不在可报送的范围内"),
    ("东湖花园", "2026-03", "没有名为“东湖花园”的管理处。是不是“东湖花园管理处”？"),
    ("../etc", "2026-03", "已登记的管理处：东湖花园管理处、翠微苑管理处"),
    ("甲 {: onclick=alert(9) }", "2026-03", "没有名为"),
])
def test_a_mistyped_site_or_month_is_refused_and_creates_nothing(data, capsys, site, month, says):
    assert ingest(FIXTURE, data, site=site, month=month) == 2
    assert says in capsys.readouterr().err
    assert not (data / CATALOGUE).exists() and not (data / "objects").exists()


def test_without_a_registry_nothing_is_stored(tmp_path, capsys):
    bare = tmp_path / "bare"
    (bare / "sites.yml").parent.mkdir()
    (bare / "sites.yml").write_text("sites: 东湖花园管理处\n", encoding="utf-8")
    assert ingest(FIXTURE, bare) == 2
    assert "管理处名单" in capsys.readouterr().err and not (bare / CATALOGUE).exists()


def test_sites_list_prints_the_registry_with_the_forms_each_owes(data, capsys):
    assert main(["--root", str(ROOT), "sites", "list", "--json", "--data-dir", str(data)]) == 0
    sites = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in sites] == list(SITES)
    assert "complaint-log" in sites[0]["forms"] and "pool-daily-income" not in sites[0]["forms"]
    # the project's own registry: only the 管理处 with a 泳馆 owes the pool forms
    assert main(["--root", str(ROOT), "sites", "list", "--json", "--data-dir", str(data / "none")]) == 0
    project = {s["name"]: s["forms"] for s in json.loads(capsys.readouterr().out)}
    assert "pool-daily-income" in project["东湖花园管理处"] and "pool-daily-income" not in project["翠微苑管理处"]


def test_withdraw_takes_a_month_out_keeps_history_and_is_audited(data, capsys):
    assert ingest(FIXTURE, data) == 0
    args = ["--root", str(ROOT), "withdraw", "--form", "complaint-log", "--site", "东湖花园管理处",
            "--month", "2026-03", "--data-dir", str(data)]
    assert main(args) == 0
    assert "已撤回：东湖花园管理处 2026-03 “投诉处理记录表”" in capsys.readouterr().out
    store = Store(data)
    assert list(store.current()) == []
    slot = store.slot("complaint-log", "东湖花园管理处", "2026-03")
    assert slot["current"] is None and len(slot["history"]) == 1
    assert (data / slot["history"][0]["object"]).exists()
    assert [e["result"] for e in store.audit_log()] == ["stored", "withdrawn"]
    assert main(args) == 1
    assert "无需撤回" in capsys.readouterr().err
    assert ingest(FIXTURE, data) == 0                # filed again: current once more
    assert len(list(Store(data).current())) == 1
    assert main(["--root", str(ROOT), "withdraw", "--form", "complaint-log", "--site", "东湖花园",
                 "--month", "2026-03", "--data-dir", str(data)]) == 2


def test_a_stale_confirm_replaces_nothing(data, tmp_path):
    from handbook.records.store.catalogue import Stale

    assert ingest(FIXTURE, data) == 0
    seen = Store(data).slot("complaint-log", "东湖花园管理处", "2026-03")["current"]
    assert ingest(corrected(tmp_path), data) == 0        # someone else's correction lands first
    newer = Store(data).slot("complaint-log", "东湖花园管理处", "2026-03")["current"]
    with pytest.raises(Stale) as caught:
        Store(data).ingest(form="complaint-log", site="东湖花园管理处", month="2026-03", original=b"x", filename="x.csv",
                           canonical=b"a\r\n", rows=0, expect=seen["id"])
    assert caught.value.newer["id"] == newer["id"]
    assert Store(data).slot("complaint-log", "东湖花园管理处", "2026-03")["current"] == newer


def test_an_unreadable_catalogue_is_reported_not_overwritten(data, capsys):
    (data / CATALOGUE).write_bytes(b"not a database" * 100)
    assert ingest(FIXTURE, data) == 2
    err = capsys.readouterr().err
    assert "无法读取" in err and "Traceback" not in err
    assert (data / CATALOGUE).read_bytes() == b"not a database" * 100


# ---------------------------------------------------------------- an old store (manifest.json) is migrated once
def old_store(tmp_path: Path, data: Path) -> list[dict]:
    """Write a store as the previous version did: objects, manifest.json, audit.jsonl."""
    from handbook.records.store.catalogue import sha256

    def put(folder, content: bytes, ext):
        digest = sha256(content)
        rel = f"{folder}/{digest[:2]}/{digest}{ext}"
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_bytes(content)
        return rel

    versions = []
    for n, source in enumerate([FIXTURE, corrected(tmp_path)]):
        content = source.read_bytes()
        versions.append({"id": f"v{n}", "at": f"2026-04-0{n + 1}T10:00:00+08:00", "user": "王芳", "file": source.name,
                         "file_sha256": sha256(content), "data_sha256": sha256(content), "rows": 1,
                         "object": put("objects", content, ".csv"), "original": put("uploads", content, ".csv")})
    manifest = {"version": 1, "records": {"complaint-log": {"东湖花园管理处": {"2026-03": {
        "current": versions[1], "history": [versions[0]]}}}}, "last_audit": {"id": "a2", "at": "2026-04-02T10:00:00+08:00", "result": "superseded"}}
    (data / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    (data / "audit.jsonl").write_text('{"id": "a1", "at": "2026-04-01T10:00:00+08:00", "result": "stored"}\n{"id": "a2", "res',
                                      encoding="utf-8")
    return versions


def test_an_old_store_is_migrated_once_with_history_and_audit(data, tmp_path, capsys):
    versions = old_store(tmp_path, data)
    store = Store(data)
    [(form, site, month, upload)] = store.current()
    assert upload == versions[1]
    assert store.slot(form, site, month)["history"] == [versions[0]]
    # the torn last audit line is recovered from the manifest's last_audit
    assert [e["id"] for e in store.audit_log()] == ["a1", "a2"]
    assert "记录库已升级" in capsys.readouterr().err
    assert (data / "manifest.json.migrated").exists() and not (data / "manifest.json").exists()
    assert ingest(FIXTURE, data, site="翠微苑管理处") == 0
    assert [e["id"] for e in Store(data).audit_log()][:2] == ["a1", "a2"]
    assert len(Store(data).audit_log()) == 3 and len(list(Store(data).current())) == 2


def test_two_processes_meeting_an_old_store_migrate_it_once(data, tmp_path):
    old_store(tmp_path, data)
    code = ("import sys; sys.path.insert(0, {src!r}); from handbook.records.store.catalogue import Store; "
            "print(len(list(Store({data!r}).current())))").format(src=SRC, data=str(data))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [o.strip() for o, _ in outs] == ["1"] * 4, outs
    with sqlite3.connect(data / CATALOGUE) as con:
        assert con.execute("SELECT COUNT(*) FROM uploads").fetchone()[0] == 2
        assert con.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 2


# ---------------------------------------------------------------- crashes (kill -9 at each step)
CRASH = """
import os, sys
sys.path.insert(0, {src!r})
stage = sys.argv[1]
from handbook.records.store import catalogue as s
real_replace, real_commit = os.replace, s.Store._commit
def replace(src, dst):
    if stage == "object" and "/objects/" in str(dst):
        os._exit(70)
    real_replace(src, dst)
def commit(self, con):
    if stage == "commit":
        os._exit(70)
    real_commit(self, con)
    if stage == "after-commit":
        os._exit(70)
os.replace = replace
s.Store._commit = commit
from handbook.cli import main
sys.exit(main(sys.argv[2:]))
"""


def crash_ingest(stage: str, path: Path, data: Path) -> int:
    args = ["--root", str(ROOT), "ingest", str(path), "--form", "complaint-log", "--site", "东湖花园管理处",
            "--month", "2026-03", "--data-dir", str(data)]
    proc = subprocess.run([sys.executable, "-c", CRASH.format(src=SRC), stage, *args], capture_output=True, text=True)
    return proc.returncode


@pytest.mark.parametrize("stage,survives", [("object", "old"), ("commit", "old"), ("after-commit", "new")])
def test_a_crash_mid_ingest_leaves_the_old_state_or_the_new_one(data, tmp_path, stage, survives):
    assert ingest(FIXTURE, data) == 0
    before = Store(data).slot("complaint-log", "东湖花园管理处", "2026-03")
    assert crash_ingest(stage, corrected(tmp_path), data) == 70
    after = Store(data).slot("complaint-log", "东湖花园管理处", "2026-03")     # still readable
    if survives == "old":
        assert after == before
    else:
        assert after["current"]["data_sha256"] != before["current"]["data_sha256"]
        assert after["history"] == [before["current"]]
    # every object the catalogue names exists, and the next writer tidies the temp files
    assert ingest(FIXTURE, data, site="翠微苑管理处") == 0
    for _, _, _, upload in Store(data).current():
        assert (data / upload["object"]).exists() and (data / upload["original"]).exists()
    assert not list((data / "tmp").iterdir())
    results = [e["result"] for e in Store(data).audit_log()]
    assert results == (["stored", "stored"] if survives == "old" else ["stored", "superseded", "stored"])


# ---------------------------------------------------------------- concurrency
def test_concurrent_ingests_lose_nothing(data, tmp_path):
    env = {**os.environ, "PYTHONPATH": SRC}
    jobs = [(FIXTURE, f"管理处{i}") for i in range(5)] + [(FIXTURE, "同一处"), (corrected(tmp_path), "同一处")]
    procs = [subprocess.Popen([sys.executable, "-m", "handbook", "--root", str(ROOT), "ingest", str(path),
                               "--form", "complaint-log", "--site", site, "--month", "2026-03", "--data-dir", str(data)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for path, site in jobs]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    current = {(site, month): u for _, site, month, u in Store(data).current()}
    assert {site for site, _ in current} == {f"管理处{i}" for i in range(5)} | {"同一处"}
    same = Store(data).slot("complaint-log", "同一处", "2026-03")
    assert len(same["history"]) == 1 and same["current"]["data_sha256"] != same["history"][0]["data_sha256"]
    assert len(Store(data).audit_log()) == len(jobs)


def test_batch_ingest_shows_progress_and_checks_every_line_first(data, tmp_path, capsys):
    jobs = [{"form": "complaint-log", "site": f"管理处{i}", "month": "2026-03", "path": str(FIXTURE)} for i in range(3)]
    listing = tmp_path / "batch.json"
    listing.write_text(json.dumps(jobs + [{**jobs[0], "site": "管理处九"}], ensure_ascii=False), encoding="utf-8")
    assert main(["--root", str(ROOT), "ingest", "--batch", str(listing), "--data-dir", str(data)]) == 2
    assert "没有名为“管理处九”的管理处" in capsys.readouterr().err
    assert not (data / CATALOGUE).exists()
    listing.write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    assert main(["--root", str(ROOT), "ingest", "--batch", str(listing), "--data-dir", str(data)]) == 0
    err = capsys.readouterr().err
    assert "入库 3/3（100%）" in err
    assert len(list(Store(data).current())) == 3


def test_files_a_killed_writer_left_behind_are_tidied(data, tmp_path):
    assert ingest(FIXTURE, data) == 0
    assert crash_ingest("commit", corrected(tmp_path), data) == 70     # objects written, never committed
    store = Store(data)
    named = {u[k] for _, _, _, u in store.current() for k in ("object", "original")}
    stray = [p for p in (data / "objects").glob("*/*")] + [p for p in (data / "uploads").glob("*/*")]
    stray = [p for p in stray if str(p.relative_to(data)) not in named]
    assert len(stray) == 2
    assert store.tidy() == 0                                             # too young: a writer may still be at work
    old = 1_000_000_000
    for p in stray:
        os.utime(p, (old, old))
    assert store.tidy() == 2
    assert not any(p.exists() for p in stray)
    for rel in named:
        assert (data / rel).exists()


def test_a_file_uploaded_under_the_wrong_month_is_refused_naming_its_months(data, capsys):
    # the fixture holds March complaints; filed as August, not one date falls in the month
    assert ingest(FIXTURE, data, month="2026-08") == 1
    captured = capsys.readouterr()
    assert "这个文件里没有一个日期在2026年8月：日期都在 2026年3月" in captured.out and "未入库" in captured.err
    assert list(Store(data).current()) == []
    assert Store(data).audit_log()[-1]["result"] == "rejected"
    assert main(["--root", str(ROOT), "ingest", str(FIXTURE), "--form", "complaint-log", "--site", "东湖花园管理处",
                 "--month", "2026-08", "--data-dir", str(data), "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False and out["stored"] is False
    assert [e["type"] for e in out["errors"]] == ["month-mismatch"]
    assert main(["--root", str(ROOT), "ingest", str(FIXTURE), "--form", "complaint-log", "--site", "东湖花园管理处",
                 "--month", "2026-03", "--data-dir", str(data), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stored"] is True and out["outcome"] == "stored" and out["errors"] == []


def test_the_uploader_is_who_the_clerk_names_or_the_login_name_said_so(data, capsys):
    assert main(["--root", str(ROOT), "ingest", str(FIXTURE), "--form", "complaint-log", "--site", "东湖花园管理处",
                 "--month", "2026-03", "--data-dir", str(data), "--user", "王芳"]) == 0
    assert "本机登录名" not in capsys.readouterr().err
    assert next(iter(Store(data).current()))[3]["user"] == "王芳"
    assert ingest(FIXTURE, data, site="翠微苑管理处") == 0
    err = capsys.readouterr().err
    assert "上传人记为" in err and "（本机登录名）" in err
