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
import subprocess
import sys
import threading
import time

from bench.processes import children_mb, memory_mb
from bench.record import Figure
from tests.support.harness import chromium, new_page, settle, start_server, tour

TARGETS = {"after_tour": "<= 750 MB", "training_vmhwm": "<= 1000 MB"}


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


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-train", action="store_true", help="tour the pages only")
    parser.add_argument("--baseline", action="store_true", help="also measure `import tensorflow` alone")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server, e.g. MALLOC_ARENA_MAX=2 (repeatable)")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print and return the server's RSS at start, after the tour and around a default run (MB)."""
    args = parser().parse_args(argv)
    figures = {}
    if args.baseline:
        figures["import_tensorflow"] = Figure(import_baseline(), "MB")
        print(f"import tensorflow alone: {figures['import_tensorflow'].value:.0f} MB RSS")
    with start_server(env={**os.environ, **dict(pair.split("=", 1) for pair in args.env)}) as server:
        figures["server_start"] = Figure(memory_mb(server.pid)["VmRSS"], "MB")
        print(f"server started: {figures['server_start'].value:.0f} MB RSS")
        figures.update(visit(server.pid, server.url, train=not args.no_train))
    return figures


def visit(pid: int, url: str, train: bool) -> dict[str, Figure]:
    """One visitor's tour of every page, then (if `train`) a default run; the server's RSS figures."""
    with chromium() as browser:
        page = new_page(browser, timeout_ms=180_000)
        tour(page, url, lambda title, _: print(f"  after {title:<28} {memory_mb(pid)['VmRSS']:6.0f} MB RSS"))
        after = memory_mb(pid)
        figures = {"after_tour": Figure(after["VmRSS"], "MB", TARGETS["after_tour"]),
                   "tour_vmhwm": Figure(after["VmHWM"], "MB")}
        print(f"after the tour: {after['VmRSS']:.0f} MB RSS (peak so far {after['VmHWM']:.0f} MB); "
              f"target {TARGETS['after_tour']}")
        if train:
            seconds, peak = train_default(page, pid)
            figures.update(training_seconds=Figure(seconds, "s"), training_peak_sampled=Figure(peak, "MB"),
                           training_vmhwm=Figure(memory_mb(pid)["VmHWM"], "MB", TARGETS["training_vmhwm"]),
                           after_training=Figure(memory_mb(pid)["VmRSS"], "MB"))
            print(f"default training run: {seconds:.0f} s, peak {peak:.0f} MB RSS sampled (server and training "
                  f"processes), server VmHWM {figures['training_vmhwm'].value:.0f} MB (target "
                  f"{TARGETS['training_vmhwm']}); {figures['after_training'].value:.0f} MB after")
    return figures


if __name__ == "__main__":
    main()
