# Sourced by run.sh and test.sh: the setup steps, each one line that says what it does and how
# long it took. The tools' own output (pip's notes on the package index, setuptools' build
# warnings) goes to .venv/setup.log and is shown only when a step fails.

SETUP_LOG=".venv/setup.log"

# step "what it does" [expected duration] -- command...
step() {
    local title=$1 hint=$2
    shift 3
    local t0=$SECONDS
    mkdir -p .venv
    echo "== $(date -u +%T) $title" >>"$SETUP_LOG"
    if [ -t 1 ]; then
        "$@" >>"$SETUP_LOG" 2>&1 &
        local pid=$! status=0
        while kill -0 "$pid" 2>/dev/null; do
            printf '\r%s (%s) … %d s' "$title" "$hint" $((SECONDS - t0))
            sleep 1
        done
        wait "$pid" || status=$?
        printf '\r\033[K'
    else
        printf '%s (%s) …\n' "$title" "$hint"
        local status=0
        "$@" >>"$SETUP_LOG" 2>&1 || status=$?
    fi
    if [ "$status" -ne 0 ]; then
        echo "$title: failed. The last lines of $SETUP_LOG:" >&2
        tail -n 30 "$SETUP_LOG" >&2
        exit "$status"
    fi
    printf '%s: done in %d s\n' "$title" $((SECONDS - t0))
}

# install_storymap EXTRAS: the virtualenv with storymap (editable) and its dependencies.
install_storymap() {
    local target=".$1"
    step "creating the virtualenv in .venv" "a few seconds" -- python3 -m venv .venv
    step "updating pip" "a few seconds" -- .venv/bin/python -m pip install --upgrade pip
    step "installing storymap and its dependencies" "about 2 min the first time" -- \
        .venv/bin/python -m pip install --progress-bar off -e "${target}"
    # pip compiles the dependencies but not an editable project: compile it now, so that a
    # first start (or any start with PYTHONDONTWRITEBYTECODE set) skips ~70 ms of compiling.
    step "compiling storymap" "a second" -- .venv/bin/python -m compileall -q storymap
}

# warm_caches: the gazetteer index and the country outlines are built once into the user cache
# directory (STORYMAP_CACHE_DIR); the sample article is mapped once, so the app's first page
# shows the sample map at once.
warm_caches() {
    local out
    out="$(mktemp -d)"
    step "building the gazetteer index and mapping the sample article" \
        "1-3 min the first time, seconds after" -- \
        .venv/bin/storymap build data/samples/seed-de.txt -o "$out/sample.html"
    rm -rf "$out"
}
