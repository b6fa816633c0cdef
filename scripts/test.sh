#!/usr/bin/env bash
# Install CareLoop with its test tools into .venv and run the whole suite: unit tests,
# integration tests on SQLite and (when it answers on 127.0.0.1:5432) PostgreSQL.
# Arguments go to pytest. CARELOOP_REQUIRE_POSTGRES=1 turns a missing PostgreSQL into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# The e2e tests drive Debian's Chromium (never `playwright install`); as root, install it
# with the CJK fonts the Chinese pages need. Without it they skip unless CARELOOP_REQUIRE_E2E=1.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
# The report tests render PDFs with pdftoppm and draw Chinese charts: as root, install
# poppler-utils and the CJK fonts when missing (docs/reports.md).
if { ! command -v pdftoppm >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } \
  && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils fonts-noto-cjk >/dev/null
fi
.venv/bin/ruff check src tests benchmarks
.venv/bin/mypy
.venv/bin/lint-imports --no-cache
# Spread over the machine's cores (pytest-xdist), a test file per worker so that a file's
# browser and server are started once; CARELOOP_TEST_WORKERS=0 runs in one process.
exec .venv/bin/pytest -n "${CARELOOP_TEST_WORKERS:-auto}" --dist loadfile --no-loadscope-reorder "$@"
