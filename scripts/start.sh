#!/usr/bin/env bash
# Quick start: install CareLoop into .venv and serve it on an embedded SQLite database with
# demo data (loaded once, on the first start). Options go to `careloop up` (--host, --port).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/careloop up "$@"
