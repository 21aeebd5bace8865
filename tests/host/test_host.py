"""What a host does, without Docker: a fresh venv from requirements.txt only, MNIST fetched by the build
step, the server started with the Dockerfile's hosted settings behind its compressing proxy (deploy/), and
every page loaded through it in a real browser.

Slow (a venv install, ≈2–4 min with pip's cache warm) and needs the package registry, which CI has.
Marked slow, so `bash dev.sh test` leaves it out; `bash dev.sh test -m slow` (CI) runs it.
"""

import fnmatch
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support import ROOT
from tests.support.harness import new_page, start_server, tour
from tests.support.hosting import NGINX, Proxy, dockerfile_env, encoding_of


def build_context(dest: Path) -> list[str]:
    """Copy what `docker build` would send: the repo's files less the .dockerignore patterns."""
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "this copy does not understand '!' exceptions"
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    kept = [f for f in listed if (ROOT / f).is_file() and not ignored(f, patterns)]
    for name in kept:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, dest / name)
    return kept


def ignored(path: str, patterns: list[str]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(prefix, p.removeprefix("**/")) or fnmatch.fnmatch(prefix, p)
               for p in patterns for prefix in prefixes + parts)


def run(cmd: list, **kwargs) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    return output


def test_dockerignore_keeps_what_the_app_needs():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for needed in ("app.py", "requirements.txt", "mnist_core/data/sources.py", "models/cnn.keras",
                   ".streamlit/config.toml"):
        assert not ignored(needed, patterns), needed
    for dropped in ("tests/test_host.py", ".venv/bin/python", "bench/memory.py", "mnist_core/__pycache__/x.pyc"):
        assert ignored(dropped, patterns), dropped


def test_the_proxy_config_is_one_nginx_accepts(tmp_path):
    """deploy/nginx.conf as deploy/start.sh fills it in, checked by nginx itself (`nginx -t`)."""
    if not NGINX.exists():
        pytest.skip(f"{NGINX} is missing: apt-get install nginx-light libnginx-mod-http-brotli-filter "
                    "libnginx-mod-http-brotli-static (.ci/run does)")
    start = (ROOT / "deploy" / "start.sh").read_text()
    assert 's|@PORT@|$port|' in start and 's|@APP_PORT@|$app_port|' in start and 's|@STATIC@|$static|' in start
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    filled = conf.replace("@PORT@", "7860").replace("@APP_PORT@", "8501").replace("@STATIC@", str(tmp_path))
    assert re.search(r"@[A-Z_]+@", filled) is None  # start.sh fills in every placeholder there is
    (tmp_path / "nginx.conf").write_text(filled.replace("/tmp/nginx", str(tmp_path / "nginx")))
    run([str(NGINX), "-e", "stderr", "-t", "-c", str(tmp_path / "nginx.conf")])


@pytest.mark.slow  # ≈ 5 minutes: CI runs it after `bash dev.sh test` (.ci/run)
def test_a_host_build_serves_every_page(tmp_path, browser):
    app, home = tmp_path / "app", tmp_path / "home"
    app.mkdir()
    home.mkdir()
    assert "app_pages/home.py" in build_context(app)
    pip_cache = run([sys.executable, "-m", "pip", "cache", "dir"]).strip().splitlines()[-1]
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "PIP_CACHE_DIR": pip_cache,
           "MNIST_LAB_CACHE": str(tmp_path / "cache"), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.update({k: v for k, v in os.environ.items() if k.startswith(("PIP_", "SSL_", "LANG"))})
    run([sys.executable, "-m", "venv", str(tmp_path / "venv")])
    python = str(tmp_path / "venv" / "bin" / "python")
    install = run([python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt"], cwd=app, env=env)
    assert "ERROR" not in install, install[-3000:]
    run([python, "-m", "pip", "check"], env=env)
    assert "MNIST ready: 60,000 training and 10,000 test images" in run(
        [python, "-m", "mnist_core.data"], cwd=app, env=env)  # the Dockerfile's build step

    # As the image runs it: the server on loopback, deploy/nginx.conf in front, compressing.
    with start_server(python, app, {**env, **dockerfile_env()}) as server, Proxy(server.port) as proxy:
        index = urllib.request.urlopen(proxy.url, timeout=30).read().decode()
        script = re.search(r'src="\./(static/js/index\.[^"]+\.js)"', index).group(1)
        assert encoding_of(f"{proxy.url}/{script}") == "br" and encoding_of(f"{proxy.url}/{script}", "gzip") == "gzip"
        page = new_page(browser, timeout_ms=180_000)
        problems = []

        def check(title, page) -> None:  # a healthy host shows no exception and no error (missing models, data…)
            for testid in ("stException", "stAlertContentError"):
                problems.extend(f"{title}: {text}" for text in page.get_by_test_id(testid).all_inner_texts())
            if "Traceback" in page.content():
                problems.append(f"{title}: a traceback")

        titles = tour(page, proxy.url, check)
        page.context.close()
    assert len(titles) >= 8 and "Draw" in titles and "Train" in titles
    assert problems == []
