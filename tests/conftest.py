"""Shared fixtures: a real `streamlit run app.py` server and a headless Debian Chromium driving it."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url():
    """Start the app exactly as the README does, on a free loopback port; always stop it afterwards."""
    port = _free_port()
    log = open(ROOT / ".pytest_cache" / "streamlit.log", "w") if (ROOT / ".pytest_cache").is_dir() else None
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=ROOT, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/_stcore/health", server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_for(health: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(health, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"streamlit did not answer on {health} within {timeout:.0f} s")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `apt-get install chromium` (bash dev.sh test does it as root)."
        if os.environ.get("MNIST_LAB_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def test_set() -> tuple[np.ndarray, np.ndarray]:
    """The first 100 official test digits as floats in [0, 1], and their labels."""
    from mnist_core import load_mnist

    _, (x_test, y_test) = load_mnist()
    return x_test[:100].astype(np.float32) / 255, y_test[:100]  # (100, 28, 28), (100,)


@pytest.fixture(scope="module")
def trained_cnn():
    """The shipped CNN (or, if it is missing, one trained for an epoch)."""
    from mnist_core import TrainConfig
    from mnist_core.models.shipped import MODELS_DIR, load_model_file
    from mnist_core.training.engine import train

    if (MODELS_DIR / "cnn.keras").is_file():
        return load_model_file(MODELS_DIR / "cnn.keras")
    return train(TrainConfig(model="cnn", epochs=1, learning_rate=3e-3, train_size=20000)).model
