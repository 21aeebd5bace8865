"""Stroke to verdict, as a visitor experiences it: the real server, a real browser, the Draw page.

    python -m bench.stroke_latency --strokes 20
    python -m bench.stroke_latency --env STREAMLIT_RUNNER_POST_SCRIPT_GC=true   # a server setting changed

Each round clears the canvas, draws one stroke (a "1" at a different place each time) with the mouse,
and times from the mouse button's release to all of the models' verdicts on screen. The first round
is the session's first stroke (models loaded cold unless another visitor loaded them); the rest
are reported as median and p95, with the server's CPU time per stroke and Clear (what bounds how many
visitors one server holds). Target (the classroom issue): ≤ 250 ms median, ≤ 500 ms p95 with the
server otherwise idle. The machine's load average is printed before and after: on a 2-core machine, figures
taken above a load of about 1 mostly measure the other processes.
"""

import argparse
import os
import statistics
import time

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench.processes import cpu_seconds
from bench.record import Figure
from mnist_core import MODELS
from tests.support.harness import chromium, new_page, start_server

VERDICTS = "n => document.querySelectorAll('[data-testid=\"stMetric\"]').length >= n"
BLANK = "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length === 0"
TARGETS = {"median": "<= 150 ms", "p95": "<= 500 ms"}  # the canvas from its package kept <= 150 ms (issue 24)


def stroke(page, box: dict, x: float) -> None:
    """A vertical stroke at `x` (a fraction of the canvas width), as a hand would draw it."""
    page.mouse.move(box["x"] + x * box["width"], box["y"] + 0.15 * box["height"])
    page.mouse.down()
    for i in range(1, 25):
        page.mouse.move(box["x"] + x * box["width"], box["y"] + (0.15 + 0.7 * i / 24) * box["height"])
    page.mouse.up()


def open_draw(page, url: str) -> None:
    page.goto(f"{url}/draw")
    page.wait_for_selector("canvas.upper-canvas")
    page.wait_for_function(BLANK)


def rounds(page, count: int) -> list[float]:
    """`count` rounds of stroke, verdicts (timed), Clear on the open Draw page."""
    seconds = []
    for i in range(count):
        box = page.locator("canvas.upper-canvas").bounding_box()
        stroke(page, box, 0.3 + 0.4 * (i % 5) / 4)
        start = time.perf_counter()
        page.wait_for_function(VERDICTS, arg=len(MODELS), timeout=60_000, polling="raf")
        seconds.append(time.perf_counter() - start)
        print(f"stroke {i}: {seconds[-1] * 1000:.0f} ms", flush=True)
        for _ in range(3):  # a click that lands while the page is rerunning can be lost: try again
            page.get_by_role("button", name="Clear").click()
            try:
                page.wait_for_function(BLANK, timeout=10_000)
                break
            except PlaywrightTimeout:
                continue
        page.wait_for_timeout(300)  # the new, empty canvas mounts
    return seconds


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=20)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server (repeatable)")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print each stroke; return the first stroke, the others' median, p95 and max, and CPU per stroke."""
    args = parser().parse_args(argv)
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    with start_server(env={**os.environ, **dict(pair.split("=", 1) for pair in args.env)}) as server:
        seconds, cpu = draw(server.pid, server.url, args.strokes)
    first, rest = seconds[0], sorted(seconds[1:])
    p95 = rest[min(len(rest) - 1, round(0.95 * (len(rest) - 1)))]
    print(f"first stroke of the session: {first * 1000:.0f} ms")
    print(f"CPU per stroke and Clear: server {cpu['server']:.0f} ms, browser {cpu['browsers']:.0f} ms "
          f"(the browser's Playwright mouse included); the idle Draw page: browser {cpu['idle']:.0f} % of a core")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"stroke to verdict over {len(rest)} strokes: median {statistics.median(rest) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, max {rest[-1] * 1000:.0f} ms (targets {TARGETS['median']} median, "
          f"{TARGETS['p95']} p95)")
    return {"first_stroke": Figure(first * 1000, "ms"),
            "median": Figure(statistics.median(rest) * 1000, "ms", TARGETS["median"]),
            "p95": Figure(p95 * 1000, "ms", TARGETS["p95"]), "max": Figure(rest[-1] * 1000, "ms"),
            "server_cpu_per_stroke": Figure(cpu["server"], "ms"),
            "browser_cpu_per_stroke": Figure(cpu["browsers"], "ms"),
            "idle_draw_page_browser": Figure(cpu["idle"], "% of a core")}


def draw(pid: int, url: str, strokes: int) -> tuple[list[float], dict[str, float]]:
    """One Chromium on the Draw page: the session's first stroke, then `strokes` more, timed; the CPU per
    stroke and Clear (ms) of the server and the browser, and the idle page's browser CPU (% of a core)."""
    with chromium() as browser:
        page = new_page(browser)
        open_draw(page, url)
        seconds = rounds(page, 1)  # the session's first stroke
        before = cpu_seconds(pid)
        seconds += rounds(page, strokes)
        after = cpu_seconds(pid)
        page.wait_for_timeout(10_000)  # the page at rest: what an open, idle Draw page costs its browser
        idle = cpu_seconds(pid)["browsers"] - after["browsers"]
    cpu = {kind: (after[kind] - before[kind]) / strokes * 1000 for kind in ("server", "browsers")}
    return seconds, {**cpu, "idle": idle / 10 * 100}


if __name__ == "__main__":
    main()
