#!/usr/bin/env bash
# Quick start: install into ./.venv, create the schema in the embedded database (or DATABASE_URL)
# and show what is stored. Needs only python3 (3.10+); no database server to install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
.venv/bin/newscrawl db upgrade
.venv/bin/newscrawl stats
