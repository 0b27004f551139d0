#!/usr/bin/env bash
# Quick start: install into ./.venv, then run the offline demo crawl (recorded real pages replayed through the
# real spiders, pipelines and linker) into the embedded PostgreSQL (or DATABASE_URL), and show the counts.
# Needs only python3 (3.10+) and the package index; no database server, no other network access.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
# pip 23 (Python 3.11's) cannot resolve lxml's html_clean extra asked for twice (trafilatura, readability-lxml)
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade 'pip>=24'
.venv/bin/python -m pip install --disable-pip-version-check -e .
.venv/bin/newscrawl demo
.venv/bin/newscrawl stats
