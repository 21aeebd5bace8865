#!/usr/bin/env bash
# Set up .venv (first time, or when a requirements file changed) and run the app or the tests.
#   bash dev.sh run              # the app on http://localhost:8501
#   bash dev.sh test [pytest…]   # lint + every test, the browser test included
set -euo pipefail
cd "$(dirname "$0")"

python=$(command -v python3.11 || command -v python3)
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi

install() {  # $1: a stamp name; the rest: pip arguments
    local stamp=".venv/.stamp-$1"; shift
    local want; want=$(cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -r "$1"
        echo "$want" > "$stamp"
    fi
}
install app requirements.txt
if [ ! -f .venv/.stamp-offline ]; then  # --no-deps: see requirements-offline.txt
    .venv/bin/python -m pip install --quiet --no-deps -r requirements-offline.txt && touch .venv/.stamp-offline
fi

case "${1:-run}" in
    run)
        exec .venv/bin/streamlit run app.py ;;
    test)
        shift || true
        install dev requirements-dev.txt
        if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
        fi
        .venv/bin/ruff check .
        export TF_CPP_MIN_LOG_LEVEL=3
        exec .venv/bin/python -m pytest "$@" ;;
    *)
        echo "usage: bash dev.sh run | test [pytest args]" >&2; exit 2 ;;
esac
