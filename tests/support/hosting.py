"""What a host reads from the repository: the hosted settings the Dockerfile sets, and the compressing
proxy it runs in front of the app (deploy/), started here as deploy/start.sh starts it."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path

from mnist_core.data.sources import cache_dir
from tests.support import ROOT
from tests.support.harness import free_port

NGINX = Path("/usr/sbin/nginx")  # Debian's nginx-light, with libnginx-mod-http-brotli-{filter,static}


def dockerfile_env() -> dict[str, str]:
    """The hosted settings from the Dockerfile's ENV lines (NAME=value pairs, continuations joined)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    pairs = [word for line in text.splitlines() if line.startswith("ENV ") for word in line.split()[1:]]
    env = dict(pair.split("=", 1) for pair in pairs)
    return {k: v for k, v in env.items() if k.startswith(("MNIST_LAB_", "STREAMLIT_", "TF_", "MALLOC_"))}


def precompressed() -> Path:
    """deploy/precompress.sh's output for the installed Streamlit, made once (a few CPU-minutes) and kept
    in the app's data folder."""
    folder = cache_dir() / f"static-streamlit-{version('streamlit')}"
    if not (folder / ".done").exists():
        print(f"compressing Streamlit's frontend into {folder} (once; a few minutes)", flush=True)
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
        subprocess.run(["sh", str(ROOT / "deploy" / "precompress.sh"), str(folder)], check=True, env=env)
        (folder / ".done").touch()
    return folder


class Proxy:
    """deploy/nginx.conf in front of `app_port`, as deploy/start.sh runs it, with its files in a temp folder."""

    def __init__(self, app_port: int):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="mnist-lab-nginx-"))
        conf = (ROOT / "deploy" / "nginx.conf").read_text().replace("@PORT@", str(self.port)).replace(
            "@APP_PORT@", str(app_port)).replace("@STATIC@", str(precompressed())).replace(
            "/tmp/nginx", str(self.folder / "nginx"))
        (self.folder / "nginx.conf").write_text(conf)
        directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")  # root's cache is root's alone
        self.process = subprocess.Popen([str(NGINX), "-e", "stderr", "-c", str(self.folder / "nginx.conf"),
                                         "-g", directives])
        self.url = f"http://127.0.0.1:{self.port}"
        time.sleep(0.5)
        if self.process.poll() is not None:
            raise RuntimeError(f"nginx exited with code {self.process.returncode}")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "Proxy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def encoding_of(url: str, accept: str = "br, gzip") -> str | None:
    """The Content-Encoding `url` is served with to a browser that accepts `accept`."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers.get("Content-Encoding")
