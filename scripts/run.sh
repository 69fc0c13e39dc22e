#!/usr/bin/env bash
# Set up storymap on a fresh machine and start the app on the sample article.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
install_storymap ""
warm_caches
echo "starting the app: open http://localhost:8501 (Ctrl+C stops it)"
exec .venv/bin/streamlit run streamlit_app.py --server.headless true "$@"
