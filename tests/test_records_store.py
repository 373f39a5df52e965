"""`handbook ingest`: only valid files stored; atomic, idempotent, corrections kept in history, audited, concurrent-safe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from handbook.cli import main
from handbook.records.store import AUDIT, MANIFEST, Store

FIXTURE = ROOT / "tests" / "fixtures" / "records" / "第二管理处" / "2026-03" / "complaint-log.csv"
SRC = str(ROOT / "scripts")


def ingest(path: Path, data: Path, site="东湖花园管理处", month="2026-03", form="complaint-log") -> int:
    return main(["--root", str(ROOT), "ingest", str(path), "--form", form, "--site", site, "--month", month,
                 "--data-dir", str(data)])


def snapshot(data: Path) -> dict[str, bytes]:
    """Every file of the store except the audit log and the lock."""
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*"))
            if p.is_file() and p.name not in (AUDIT, ".lock")}


def corrected(tmp_path: Path, name="更正.csv") -> Path:
    text = FIXTURE.read_text(encoding="utf-8").replace("2026-03-09 11:00", "2026-03-09 12:00")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_is_stored_and_audited(tmp_path, capsys):
    data = tmp_path / "store"
    assert ingest(FIXTURE, data) == 0
    assert "已入库：东湖花园管理处 2026-03 投诉处理记录表，1 行记录" in capsys.readouterr().out
    store = Store(data)
    [(form, site, month, upload)] = list(store.current())
    assert (form, site, month, upload["rows"]) == ("complaint-log", "东湖花园管理处", "2026-03", 1)
    assert store.read(upload).decode("utf-8").startswith("编号,受理时间")
    [entry] = store.audit_log()
    assert entry["result"] == "stored" and entry["rows"] == 1 and len(entry["file_sha256"]) == 64
    assert entry["user"] and entry["at"] and entry["form"] == "complaint-log"


def test_the_same_file_twice_changes_nothing(tmp_path, capsys):
    data = tmp_path / "store"
    assert ingest(FIXTURE, data) == 0
    before = snapshot(data)
    assert ingest(FIXTURE, data) == 0
    assert "内容与已入库的版本相同，未作改动" in capsys.readouterr().out
    assert snapshot(data) == before
    assert [e["result"] for e in Store(data).audit_log()] == ["stored", "unchanged"]


def test_a_correction_supersedes_and_the_earlier_upload_stays_in_history(tmp_path, capsys):
    data = tmp_path / "store"
    assert ingest(FIXTURE, data) == 0
    first = next(Store(data).current())[3]
    assert ingest(corrected(tmp_path), data) == 0
    assert "更正版" in capsys.readouterr().out
    slot = Store(data).manifest()["records"]["complaint-log"]["东湖花园管理处"]["2026-03"]
    assert slot["current"]["data_sha256"] != first["data_sha256"]
    assert slot["history"] == [first]
    assert (data / first["object"]).exists()
    assert [e["result"] for e in Store(data).audit_log()] == ["stored", "superseded"]


def test_an_invalid_file_is_not_stored_but_the_attempt_is_audited(tmp_path, capsys):
    data = tmp_path / "store"
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


def test_bad_arguments_are_refused_in_chinese(tmp_path, capsys):
    data = tmp_path / "store"
    assert ingest(FIXTURE, data, month="2026-3") == 2
    assert "月份“2026-3”格式不对" in capsys.readouterr().err
    assert ingest(FIXTURE, data, site="../etc") == 2
    assert "不能含有斜杠" in capsys.readouterr().err
    assert not (data / MANIFEST).exists()


def test_a_corrupt_manifest_is_reported_not_overwritten(tmp_path, capsys):
    data = tmp_path / "store"
    data.mkdir()
    (data / MANIFEST).write_text("{半个", encoding="utf-8")
    assert ingest(FIXTURE, data) == 2
    assert "清单文件无法读取" in capsys.readouterr().err
    assert (data / MANIFEST).read_text(encoding="utf-8") == "{半个"


# ---------------------------------------------------------------- crashes
CRASH = """
import os, sys
sys.path.insert(0, {src!r})
stage = sys.argv[1]
real = os.replace
def replace(src, dst):
    d = str(dst)
    if stage == "object" and "/objects/" in d:
        os._exit(70)
    if stage == "manifest" and d.endswith("manifest.json"):
        os._exit(70)
    real(src, dst)
    if stage == "after-manifest" and d.endswith("manifest.json"):
        os._exit(70)
os.replace = replace
from handbook.cli import main
sys.exit(main(sys.argv[2:]))
"""


def crash_ingest(stage: str, path: Path, data: Path) -> int:
    args = ["--root", str(ROOT), "ingest", str(path), "--form", "complaint-log", "--site", "东湖花园管理处",
            "--month", "2026-03", "--data-dir", str(data)]
    proc = subprocess.run([sys.executable, "-c", CRASH.format(src=SRC), stage, *args], capture_output=True, text=True)
    return proc.returncode


@pytest.mark.parametrize("stage,survives", [("object", "old"), ("manifest", "old"), ("after-manifest", "new")])
def test_a_crash_mid_ingest_leaves_the_old_state_or_the_new_one(tmp_path, stage, survives):
    data = tmp_path / "store"
    assert ingest(FIXTURE, data) == 0
    before = Store(data).manifest()
    assert crash_ingest(stage, corrected(tmp_path), data) == 70
    after = Store(data).manifest()                 # still readable: never half-written
    current = after["records"]["complaint-log"]["东湖花园管理处"]["2026-03"]["current"]
    if survives == "old":
        assert after == before
    else:
        assert current["data_sha256"] != before["records"]["complaint-log"]["东湖花园管理处"]["2026-03"]["current"]["data_sha256"]
        assert (data / current["object"]).exists()
    # every object the manifest names exists, and the next run tidies temp files and completes the audit
    assert ingest(FIXTURE, data, site="翠微苑管理处") == 0
    for _, _, _, upload in Store(data).current():
        assert (data / upload["object"]).exists() and (data / upload["original"]).exists()
    assert not list(data.rglob(".tmp-*"))
    results = [e["result"] for e in Store(data).audit_log()]
    assert results == (["stored", "stored"] if survives == "old" else ["stored", "superseded", "stored"])


def test_a_torn_audit_line_is_repaired(tmp_path):
    data = tmp_path / "store"
    assert ingest(FIXTURE, data) == 0
    with open(data / AUDIT, "a", encoding="utf-8") as fh:
        fh.write('{"id": "half')
    assert ingest(FIXTURE, data, site="翠微苑管理处") == 0
    lines = (data / AUDIT).read_text(encoding="utf-8").splitlines()
    assert [json.loads(l)["result"] for l in lines] == ["stored", "stored"]


# ---------------------------------------------------------------- concurrency
def test_concurrent_ingests_lose_nothing(tmp_path):
    data = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": SRC}
    jobs = [(FIXTURE, f"管理处{i}") for i in range(5)] + [(FIXTURE, "同一处"), (corrected(tmp_path), "同一处")]
    procs = [subprocess.Popen([sys.executable, "-m", "handbook", "--root", str(ROOT), "ingest", str(path),
                               "--form", "complaint-log", "--site", site, "--month", "2026-03", "--data-dir", str(data)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for path, site in jobs]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    records = Store(data).manifest()["records"]["complaint-log"]
    assert set(records) == {f"管理处{i}" for i in range(5)} | {"同一处"}
    same = records["同一处"]["2026-03"]
    assert len(same["history"]) == 1 and same["current"]["data_sha256"] != same["history"][0]["data_sha256"]
    assert len(Store(data).audit_log()) == len(jobs)
