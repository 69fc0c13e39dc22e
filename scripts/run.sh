#!/usr/bin/env bash
# Set up storymap on a fresh machine and start the app on the sample article.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
exec .venv/bin/streamlit run streamlit_app.py --server.headless true "$@"
