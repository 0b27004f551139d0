#!/usr/bin/env bash
# Install the project with its test tools into ./.venv, then lint and run the whole test suite.
# Database tests use TEST_DATABASE_URL when set, else an embedded PostgreSQL (no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# pip 23 (Python 3.11's) cannot resolve lxml's html_clean extra asked for twice (trafilatura, readability-lxml)
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade 'pip>=24'
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,translation]'
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
