#!/usr/bin/env bash
# Set up storymap on a fresh machine and start the app on the sample article.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
# pip compiles the dependencies but not an editable project: compile it now, so that a
# first start (or any start with PYTHONDONTWRITEBYTECODE set) skips ~70 ms of compiling.
.venv/bin/python -m compileall -q storymap
exec .venv/bin/streamlit run streamlit_app.py --server.headless true "$@"
