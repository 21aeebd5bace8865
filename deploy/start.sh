#!/bin/sh
# The Docker image's command: Streamlit on loopback, and deploy/nginx.conf in front of it on $PORT,
# compressing what Streamlit sends uncompressed. Either one ending ends the container, so the host's
# restart policy (or health check) brings both back.
set -eu
port=${PORT:-7860}
app_port=${APP_PORT:-8501}
static=${STATIC_DIR:-$HOME/static}   # deploy/precompress.sh's output
here=$(dirname "$0")
sed -e "s|@PORT@|$port|" -e "s|@APP_PORT@|$app_port|" -e "s|@STATIC@|$static|" "$here/nginx.conf" > /tmp/nginx.conf
streamlit run app.py --server.address 127.0.0.1 --server.port "$app_port" &
app=$!
nginx -e stderr -c /tmp/nginx.conf -g "daemon off;" &
proxy=$!
trap 'kill "$app" "$proxy" 2>/dev/null' INT TERM
# POSIX sh has no `wait -n`: poll until either process has ended, then stop the other.
while kill -0 "$app" 2>/dev/null && kill -0 "$proxy" 2>/dev/null; do
    sleep 2
done
kill "$app" "$proxy" 2>/dev/null || true
wait
