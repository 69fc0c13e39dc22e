#!/usr/bin/env bash
# Set up storymap on a fresh machine and run it on the sample article.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
.venv/bin/storymap places data/samples/seed-de.txt "$@"
