"""One harness for every test and benchmark that needs the real app: a `streamlit run app.py` server on a
free loopback port and Debian's headless Chromium driving it, with the flags ENVIRONMENT.md lists.

    with start_server() as server, chromium() as browser:
        page = new_page(browser)
        titles = tour(page, server.url)
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from tests.support import ROOT

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium floods the closed network with refused connections.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 720}
IDLE = "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running `streamlit run app.py`; `stop()` (or leaving its `with` block) ends it, always."""

    def __init__(self, process: subprocess.Popen, port: int):
        self.process, self.port = process, port
        self.pid = process.pid
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_server(python: str = sys.executable, cwd: Path = ROOT, env: dict[str, str] | None = None,
                 port: int | None = None, timeout: float = 120, log: IO | None = None) -> Server:
    """`streamlit run app.py` in `cwd` on 127.0.0.1 (a free port unless given); returns once
    /_stcore/health answers, and stops the server itself if it never does. `env` defaults to this
    process's environment; TF_CPP_MIN_LOG_LEVEL=3 is added unless `env` sets it."""
    port = port or free_port()
    env = {"TF_CPP_MIN_LOG_LEVEL": "3", **(os.environ if env is None else env)}
    process = subprocess.Popen([python, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                                "--server.address", "127.0.0.1", "--server.port", str(port)],
                               cwd=cwd, env=env, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    server = Server(process, port)
    try:
        _wait_for_health(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_for_health(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.process.returncode}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"streamlit did not answer on {server.url}/_stcore/health within {timeout:.0f} s")


def chromium_missing() -> str | None:
    """Why the browser cannot run here, or None when /usr/bin/chromium is installed."""
    if CHROMIUM.exists():
        return None
    return f"{CHROMIUM} is missing: `apt-get install chromium` (bash dev.sh test does it as root)."


@contextlib.contextmanager
def chromium(**launch) -> Iterator:
    """Debian's Chromium through Playwright (never `playwright install`'s download); closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, **launch)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, timeout_ms: float = 60_000, **context):
    """A page in a fresh browser context (its own cookies and session); close it with page.context.close()."""
    page = browser.new_context(**{"viewport": VIEWPORT, **context}).new_page()
    page.set_default_timeout(timeout_ms)
    return page


def settle(page, timeout_ms: float = 180_000) -> None:
    """Wait until the page's script run has finished (Streamlit marks the app 'notRunning')."""
    page.wait_for_timeout(300)  # let the rerun start before asking whether it ended
    page.wait_for_function(IDLE, timeout=timeout_ms)
    page.wait_for_timeout(300)


def tour(page, url: str, after_each: Callable | None = None) -> list[str]:
    """Open the app and click every sidebar navigation link in order, as one visitor; returns the titles.
    `after_each(title, page)` runs once each page has settled."""
    page.goto(url)
    links = page.locator('[data-testid="stSidebarNav"] a')
    links.first.wait_for()
    settle(page)
    # A link's text is its icon's ligature name, then its title, on separate lines.
    titles = [text.splitlines()[-1].strip() for text in links.all_inner_texts()]
    for i, title in enumerate(titles):
        links.nth(i).click()
        settle(page)
        if after_each:
            after_each(title, page)
    return titles
