"""The server's memory as one visitor uses it: RSS after touring every page, and the peak during a default run.

    python -m bench.memory                  # the tour, then a default training run from the Train page
    python -m bench.memory --no-train       # the tour only
    python -m bench.memory --baseline       # also: what `import tensorflow` alone costs, in a fresh process

Starts the real server (`streamlit run app.py`), opens it in headless Chromium as one visitor, follows
every link in the sidebar navigation (so new pages are toured without editing this file), and reads the
server's VmRSS / VmHWM from /proc after each page. Then it presses "Start training" with the default
settings and samples RSS until the run finishes. Targets: ≤ 750 MB after the tour, ≤ 1.0 GB peak.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOUR_TARGET_MB, PEAK_TARGET_MB = 750, 1000
IDLE = "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak since start) of a process, in MB (10^6 bytes)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return {key: int(fields[key].split()[0]) * 1024 / 1e6 for key in ("VmRSS", "VmHWM")}


def children_mb(pid: int) -> float:
    """VmRSS of every process below `pid` (its training processes), in MB; 0 when it has none."""
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                total += memory_mb(int(child))["VmRSS"] + children_mb(int(child))
            except (FileNotFoundError, KeyError, ProcessLookupError):  # it just ended
                pass
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(python: str, cwd: Path, env: dict, port: int, timeout: float = 120) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:`port`; returns once /_stcore/health answers."""
    server = subprocess.Popen([python, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                               "--server.address", "127.0.0.1", "--server.port", str(port)],
                              cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError(f"streamlit did not answer within {timeout:.0f} s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()


def settle(page, timeout_ms: int = 180_000) -> None:
    """Wait until the page's script run has finished (Streamlit marks the app 'notRunning')."""
    page.wait_for_timeout(300)  # let the rerun start before asking whether it ended
    page.wait_for_function(IDLE, timeout=timeout_ms)
    page.wait_for_timeout(300)


def tour(page, url: str, after_each=None) -> list[str]:
    """Open the app and click every sidebar navigation link in order, as one visitor; returns the titles."""
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


def train_default(page, pid: int) -> tuple[float, float]:
    """Press Start training with the default settings; returns (seconds, peak RSS MB sampled every 0.1 s,
    the server's and its training processes' together)."""
    page.locator('[data-testid="stSidebarNav"] a', has_text="Train").click()
    settle(page)
    peak, done = [0.0], threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], memory_mb(pid)["VmRSS"] + children_mb(pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    start = time.monotonic()
    sampler.start()
    page.get_by_role("button", name="Start training").click()
    page.get_by_role("button", name="Stop training").wait_for(timeout=120_000)
    page.get_by_role("button", name="Stop training").wait_for(state="detached", timeout=1_200_000)
    settle(page)
    done.set()
    sampler.join()
    return time.monotonic() - start, peak[0]


def import_baseline() -> float:
    """RSS of a fresh interpreter after `import tensorflow` alone, in MB."""
    code = ("import tensorflow, pathlib; s = pathlib.Path('/proc/self/status').read_text(); "
            "print([l.split()[1] for l in s.splitlines() if l.startswith('VmRSS')][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return int(out.stdout.strip()) * 1024 / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-train", action="store_true", help="tour the pages only")
    parser.add_argument("--baseline", action="store_true", help="also measure `import tensorflow` alone")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server, e.g. MALLOC_ARENA_MAX=2 (repeatable)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    if args.baseline:
        print(f"import tensorflow alone: {import_baseline():.0f} MB RSS")
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **dict(pair.split("=", 1) for pair in args.env)}
    server = start_server(sys.executable, ROOT, env, port)
    print(f"server started: {memory_mb(server.pid)['VmRSS']:.0f} MB RSS")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
            page.set_default_timeout(180_000)
            tour(page, f"http://127.0.0.1:{port}",
                 lambda title, _: print(f"  after {title:<28} {memory_mb(server.pid)['VmRSS']:6.0f} MB RSS"))
            after = memory_mb(server.pid)
            verdict = "meets" if after["VmRSS"] <= TOUR_TARGET_MB else "misses"
            print(f"after the tour: {after['VmRSS']:.0f} MB RSS (peak so far {after['VmHWM']:.0f} MB); "
                  f"{verdict} the {TOUR_TARGET_MB} MB target")
            if not args.no_train:
                seconds, peak = train_default(page, server.pid)
                hwm = memory_mb(server.pid)["VmHWM"]
                verdict = "meets" if hwm <= PEAK_TARGET_MB else "misses"
                print(f"default training run: {seconds:.0f} s, peak {peak:.0f} MB RSS sampled, VmHWM {hwm:.0f} MB; "
                      f"{verdict} the {PEAK_TARGET_MB} MB target; {memory_mb(server.pid)['VmRSS']:.0f} MB after")
            browser.close()
    finally:
        stop(server)


if __name__ == "__main__":
    main()
