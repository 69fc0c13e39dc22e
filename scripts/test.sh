#!/usr/bin/env bash
# Set up everything the tests need on a fresh Debian machine (as root), then run them all.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# pip compiles the dependencies but not an editable project: compile it now, so that a
# first start (or any start with PYTHONDONTWRITEBYTECODE set) skips ~70 ms of compiling.
.venv/bin/python -m compileall -q storymap
.venv/bin/python -m pytest "$@"
