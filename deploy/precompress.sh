#!/bin/sh
# Streamlit's frontend files (its /static/ route), copied to $1 and compressed once, with the strongest
# settings (brotli -q 11, gzip -9), so that deploy/nginx.conf serves them from disk already compressed
# instead of compressing each request. The Docker image runs it at build time; it takes a few CPU-minutes.
#   deploy/precompress.sh /home/app/static     (python: the app's venv, which has Streamlit)
set -eu
dest=$1
src=$(python -c 'import pathlib, streamlit; print(pathlib.Path(streamlit.__file__).parent / "static" / "static")')
rm -rf "$dest"
mkdir -p "$dest"
cp -R "$src"/. "$dest"/
find "$dest" -type f \( -name '*.js' -o -name '*.css' -o -name '*.json' -o -name '*.svg' -o -name '*.txt' \) \
    -size +1k -print0 |
    xargs -0 -n 4 -P "$(nproc)" sh -c 'for f; do brotli -q 11 -k -f "$f" && gzip -9 -k -f "$f"; done' sh
