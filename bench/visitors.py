"""Does the server give memory back when visitors leave? Server RSS as many visitors come and go, and
as one visitor trains run after run.

    python -m bench.visitors                          # both parts, as below
    python -m bench.visitors --runs 0                 # A only: 2 waves of 30 visitors, 5 at a time
    python -m bench.visitors --visitors 0 --runs 8    # B only: one visitor, 8 small MLP runs
    python -m bench.visitors --ttl 10 --env MALLOC_ARENA_MAX=2

The real server (`streamlit run app.py`) and headless Chromium. After a warm-up visit that loads the
models, A sends `--visitors` visitors (`--at-once` at a time), each in its own browser context: the
home page, Draw with one stroke, a Look-inside page, Where it looked and Evaluate, all by the
sidebar's links (one session each), then the tab closes; then a second wave (`--waves`), which tells a
visitor's lasting cost (the second wave's growth) from the first crowd's high-water mark. B is one
visitor who picks the MLP, 1 epoch and 5,000 images on the Train page and starts `--runs` runs one
after another (the page keeps 5). Each part reports VmRSS at start, its peak (VmHWM, reset at the part's
start), after the tabs closed, after Streamlit's disconnected-session TTL (`--ttl`, passed to the server as
STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL; the default is 120 s) and after one more short visit:
Streamlit 1.67 drops expired sessions only when another session is stored.
Target (the memory issues): server RSS returns near its start once the visitors are gone; hosted
containers have 690 MB–2.7 GB.
"""

import argparse
import asyncio
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from bench.memory import CHROMIUM, CHROMIUM_ARGS, IDLE, ROOT, children_mb, free_port, memory_mb, start_server, stop

TOUR = ("Draw", "Filters and feature maps", "Where it looked", "Evaluate")
NAV = '[data-testid="stSidebarNav"]'
GC = ["call (int) PyGILState_Ensure()", 'call (int) PyRun_SimpleString("import gc; gc.collect()")',
      "call (void) PyGILState_Release($1)"]  # a full collection inside the server, holding the GIL
VERDICTS = "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length > 0"


async def settle(page) -> None:
    """Wait until the page's script run has finished (Streamlit marks the app 'notRunning')."""
    await page.wait_for_timeout(300)  # let the rerun start before asking whether it ended
    await page.wait_for_function(IDLE, timeout=300_000)
    await page.wait_for_timeout(300)


async def follow(page, title: str) -> None:
    """Click the sidebar link called `title` (its name is an icon ligature, then the title)."""
    await page.locator(NAV).get_by_role("link", name=re.compile(rf"{re.escape(title)}$")).click()
    await settle(page)


async def stroke(page) -> None:
    """A vertical stroke down the middle of the Draw page's canvas; waits for the verdicts."""
    canvas = page.locator("canvas.upper-canvas")
    await canvas.wait_for()
    box = await canvas.bounding_box()
    x = box["x"] + 0.5 * box["width"]
    await page.mouse.move(x, box["y"] + 0.15 * box["height"])
    await page.mouse.down()
    for i in range(1, 25):
        await page.mouse.move(x, box["y"] + (0.15 + 0.7 * i / 24) * box["height"])
    await page.mouse.up()
    await page.wait_for_function(VERDICTS, timeout=300_000)
    await settle(page)


async def arrive(browser, url: str):
    """A new visitor (browser context) on the home page; returns (context, page)."""
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await context.new_page()
    page.set_default_timeout(120_000)
    await page.goto(url)
    await page.locator(NAV).get_by_role("link").first.wait_for()
    await settle(page)
    return context, page


async def visit(browser, url: str, tour: tuple[str, ...] = TOUR) -> None:
    """One visitor: the home page, then each page of `tour` by its sidebar link, then the tab closes."""
    context, page = await arrive(browser, url)
    for title in tour:
        await follow(page, title)
        if title == "Draw":
            await stroke(page)
    await context.close()


async def crowd(browser, url: str, count: int, at_once: int) -> None:
    gate = asyncio.Semaphore(at_once)

    async def one() -> None:
        async with gate:
            await visit(browser, url)

    await asyncio.gather(*(one() for _ in range(count)))


async def choose(page, label: str, value: str) -> None:
    """Move the sidebar's select slider `label` until it shows `value` (Home, then right)."""
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label)
    await slider.get_by_role("slider").focus()
    await slider.get_by_role("slider").press("Home")
    for _ in range(20):
        await settle(page)
        if value in await slider.inner_text():
            return
        await slider.get_by_role("slider").press("ArrowRight")
    raise RuntimeError(f"the {label} slider never showed {value}")


async def train_runs(page, runs: int, images: str) -> list[float]:
    """On the Train page: the MLP, 1 epoch, `images` images; `runs` runs in a row; their seconds."""
    await follow(page, "Train")
    model = page.locator('[data-testid="stSelectbox"]').filter(has_text="Model").get_by_role("combobox")
    for _ in range(5):  # a click while the page reruns can close the list again
        await model.click()
        try:
            await page.get_by_role("option", name="MLP", exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            await settle(page)
    await settle(page)
    await choose(page, "Epochs", "1")
    await choose(page, "Training images", images)
    seconds = []
    for _ in range(runs):
        start = time.monotonic()
        await page.get_by_role("button", name="Start training").click()
        await page.get_by_role("button", name="Stop training").wait_for()
        await page.get_by_role("button", name="Stop training").wait_for(state="detached", timeout=600_000)
        await settle(page)
        seconds.append(time.monotonic() - start)
    await page.wait_for_function("t => document.body.innerText.includes(t)", arg=f"Run {runs}: MLP, 1 ep,")
    return seconds


def sessions(port: int) -> str:
    """Streamlit's own counts from /_stcore/metrics: connected sessions, connects, disconnects."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/metrics", timeout=10) as response:
        text = response.read().decode()
    counts = [re.search(pattern, text) for pattern in
              (r"active_sessions\S* (\d+)", r'type="connect"\} (\d+)', r'type="disconnect"\} (\d+)')]
    connected, connects, disconnects = (m.group(1) if m else "?" for m in counts)
    return f"{connected} connected, {connects} connects, {disconnects} disconnects"


def reset_peak(pid: int) -> None:
    """Reset the server's VmHWM to its current RSS, so that the next peak is this part's own."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def show(what: str, pid: int, port: int) -> float:
    """Print the server's RSS (and its training processes', when it has some alive); return the server's."""
    rss, children = memory_mb(pid), children_mb(pid)
    spare = f" + {children:.0f} MB in training processes" if children else ""
    print(f"  {what:<34} {rss['VmRSS']:6.0f} MB RSS{spare}  (peak {rss['VmHWM']:4.0f})  sessions: {sessions(port)}",
          flush=True)
    return rss["VmRSS"]


async def leave_and_wait(browser, url: str, server, port: int, ttl: int, start: float, trim: bool) -> None:
    """After the tabs closed: RSS now, after the TTL, and after one more short visit makes Streamlit reap."""
    show("right after the tabs closed", server.pid, port)
    await asyncio.sleep(ttl + 15)
    show(f"{ttl + 15} s later (TTL {ttl} s)", server.pid, port)
    await visit(browser, url, tour=())
    await asyncio.sleep(5)
    end = show("after one more visit came and went", server.pid, port)
    print(f"  → {end - start:+.0f} MB against the start", flush=True)
    if trim:  # what stays: garbage not yet collected, freed heap that glibc keeps, or live objects?
        for what, commands in (("gc.collect()", GC), ("malloc_trim(0)", ["call (int) malloc_trim(0)"])):
            subprocess.run(["gdb", "-p", str(server.pid), "-batch", *(f"-ex={c}" for c in commands)],
                           check=True, capture_output=True)
            after = show(f"after {what} (through gdb)", server.pid, port)
            print(f"  → {after - start:+.0f} MB against the start", flush=True)


async def run(args, server, port: int) -> None:
    url, pid = f"http://127.0.0.1:{port}", server.pid
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await visit(browser, url)  # warm-up: loads the models and the test set
        await asyncio.sleep(args.ttl + 15)
        await visit(browser, url, tour=())  # stores a session, which reaps the expired warm-up session
        if args.visitors:
            start = show("start (after a warm-up visit)", pid, port)
            for wave in range(1, args.waves + 1):
                print(f"A{wave}. {args.visitors} visitors, {args.at_once} at a time:", flush=True)
                reset_peak(pid)
                began = time.monotonic()
                await crowd(browser, url, args.visitors, args.at_once)
                print(f"  all {args.visitors} visits took {time.monotonic() - began:.0f} s; load average "
                      f"{os.getloadavg()[0]:.1f}", flush=True)
                await leave_and_wait(browser, url, server, port, args.ttl, start, args.trim)
        if args.runs:
            print(f"B. one visitor, {args.runs} MLP runs (1 epoch, {args.images} images):", flush=True)
            context, page = await arrive(browser, url)
            start = show("start (visitor on the home page)", pid, port)
            reset_peak(pid)
            seconds = await train_runs(page, args.runs, args.images)
            print(f"  runs took {', '.join(f'{s:.0f}' for s in seconds)} s; load average "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
            show(f"after {args.runs} runs, tab open", pid, port)
            await context.close()
            await leave_and_wait(browser, url, server, port, args.ttl, start, args.trim)
        await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=30)
    parser.add_argument("--at-once", type=int, default=5)
    parser.add_argument("--waves", type=int, default=2, help="crowds of --visitors, one after another (A1, A2, …)")
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--images", default="5,000", help="the Training images slider's value, as shown")
    parser.add_argument("--ttl", type=int, default=10, help="server.disconnectedSessionTTL, seconds")
    parser.add_argument("--trim", action="store_true", help="then, through gdb, a full gc.collect() in the server "
                        "and glibc's malloc_trim(0), its RSS after each (a diagnostic: what is it that stays?)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the server, e.g. MALLOC_ARENA_MAX=2 (repeatable)")
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.ttl),
           **dict(pair.split("=", 1) for pair in args.env)}
    server = start_server(sys.executable, ROOT, env, port)
    try:
        asyncio.run(run(args, server, port))
    finally:
        stop(server)


if __name__ == "__main__":
    main()
