#!/usr/bin/env bash
# Set up everything the tests need on a fresh Debian machine (as root), then run them all:
# pytest, then ruff and mypy (storymap/ strict, tests/ without --strict).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1; then
    step "installing Debian's chromium for the browser tests" "about a minute, once" -- \
        sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'
fi
install_storymap "[test]"
status=0
echo "running the tests (about 4 min)"
.venv/bin/python -m pytest "$@" || status=$?
echo "checking the code: ruff"
.venv/bin/ruff check . || status=$?
echo "checking the types: mypy"
.venv/bin/mypy || status=$?
exit "$status"
