# 客服中心工作手册 — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install install-test run build check test test-fast browser clean bench

$(BIN)/handbook: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

install: $(BIN)/handbook

$(VENV)/.test-deps: $(BIN)/handbook
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install-test: $(VENV)/.test-deps browser

# Headless Chromium for the browser tests (Debian package; Playwright drives it, no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "安装 Chromium（浏览器测试需要）…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

check: install
	$(BIN)/handbook check

build: install
	$(BIN)/handbook build

run: install
	@if [ ! -s data/records/catalogue.sqlite3 ] && [ ! -s data/records/manifest.json ]; then \
	  echo "数据目录 data/records 为空：生成示例数据（12个月 × 3个管理处，虚构）并入库……"; \
	  rm -rf out/sample && mkdir -p out && \
	  $(BIN)/handbook sample --out out/sample --months 12 --sites 3 --seed 2026 --data-dir data/records --json > out/sample.json && \
	  $(BIN)/handbook ingest --batch out/sample.json --data-dir data/records --user 示例数据; \
	fi
	@[ -s data/records/users.json ] || echo "提示：月度统计和上传都要登录，还没有账号。建管理员账号：echo 初始密码 | $(BIN)/handbook user add 管理员 --admin"
	$(BIN)/handbook serve --host $(HOST) --port $(PORT)

# Two pytest workers (this machine has two cores); tests/conftest.py keeps the tests that share a costly
# fixture on one worker. WORKERS=0 runs everything in one process.
WORKERS ?= 2
PYTEST = $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadgroup

test: install-test
	$(PYTEST)

# The edit loop: checks, validation, the store, statistics and the upload page; no browser, no site build.
FAST_TESTS = tests/test_check.py tests/test_records_validate.py tests/test_records_store.py tests/test_records_kpis.py \
	tests/test_intake.py tests/test_intake_month_end.py tests/test_web_sessions.py tests/test_web_throttle.py \
	tests/test_web_headers.py tests/test_web_statistics_login.py tests/test_exports_injection.py tests/test_messages.py
test-fast: $(VENV)/.test-deps
	$(PYTEST) -m "not browser and not wheel" $(FAST_TESTS)

# Benchmarks (issue 7); never part of `make test`. ROWS=1000000 for the full run.
ROWS ?= 100000
bench: install-test
	$(BIN)/python bench/run.py --rows $(ROWS) --skip-reference-python --runs 7
	$(BIN)/python bench/build_bench.py --runs 5
	$(BIN)/python bench/report_bench.py --runs 3
	$(BIN)/python bench/ingest_bench.py --sites 20 --runs 3

clean:
	rm -rf site $(VENV) .pytest_cache
