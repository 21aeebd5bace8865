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
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path

from playwright.async_api import async_playwright

from bench.crowd import arrive, crowd, train_runs, visit
from bench.processes import children_mb, memory_mb
from bench.record import Figure
from tests.support.harness import CHROMIUM, CHROMIUM_ARGS, Server, start_server

GC = ["call (int) PyGILState_Ensure()", 'call (int) PyRun_SimpleString("import gc; gc.collect()")',
      "call (void) PyGILState_Release($1)"]  # a full collection inside the server, holding the GIL


def sessions(url: str) -> str:
    """Streamlit's own counts from /_stcore/metrics: connected sessions, connects, disconnects."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as response:
        text = response.read().decode()
    counts = [re.search(pattern, text) for pattern in
              (r"active_sessions\S* (\d+)", r'type="connect"\} (\d+)', r'type="disconnect"\} (\d+)')]
    connected, connects, disconnects = (m.group(1) if m else "?" for m in counts)
    return f"{connected} connected, {connects} connects, {disconnects} disconnects"


def reset_peak(pid: int) -> None:
    """Reset the server's VmHWM to its current RSS, so that the next peak is this part's own."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def show(what: str, server: Server) -> float:
    """Print the server's RSS (and its training processes', when it has some alive); return the server's."""
    rss, children = memory_mb(server.pid), children_mb(server.pid)
    spare = f" + {children:.0f} MB in training processes" if children else ""
    print(f"  {what:<34} {rss['VmRSS']:6.0f} MB RSS{spare}  (peak {rss['VmHWM']:4.0f})  "
          f"sessions: {sessions(server.url)}", flush=True)
    return rss["VmRSS"]


async def leave_and_wait(browser, server: Server, ttl: int, start: float, trim: bool) -> dict[str, Figure]:
    """After the tabs closed: RSS now, after the TTL, and after one more short visit makes Streamlit reap;
    returned with the part's peak and its change against `start` (MB)."""
    figures = {"tabs_closed": show("right after the tabs closed", server)}
    await asyncio.sleep(ttl + 15)
    figures["after_ttl"] = show(f"{ttl + 15} s later (TTL {ttl} s)", server)
    await visit(browser, server.url, tour=())
    await asyncio.sleep(5)
    figures["end"] = show("after one more visit came and went", server)
    figures["peak"] = memory_mb(server.pid)["VmHWM"]
    print(f"  → {figures['end'] - start:+.0f} MB against the start", flush=True)
    if trim:  # what stays: garbage not yet collected, freed heap that glibc keeps, or live objects?
        for key, what, commands in (("after_gc", "gc.collect()", GC),
                                    ("after_malloc_trim", "malloc_trim(0)", ["call (int) malloc_trim(0)"])):
            subprocess.run(["gdb", "-p", str(server.pid), "-batch", *(f"-ex={c}" for c in commands)],
                           check=True, capture_output=True)
            figures[key] = show(f"after {what} (through gdb)", server)
            print(f"  → {figures[key] - start:+.0f} MB against the start", flush=True)
    return {"start": Figure(start, "MB"), **{key: Figure(mb, "MB") for key, mb in figures.items()},
            "change": Figure(figures["end"] - start, "MB")}


async def crowds(browser, args: argparse.Namespace, server: Server) -> dict[str, Figure]:
    """A: `args.waves` crowds of visitors, one after another; each wave's figures named A<wave>.<figure>."""
    figures, start = {}, show("start (after a warm-up visit)", server)
    for wave in range(1, args.waves + 1):
        print(f"A{wave}. {args.visitors} visitors, {args.at_once} at a time:", flush=True)
        reset_peak(server.pid)
        began = time.monotonic()
        await crowd(browser, server.url, args.visitors, args.at_once)
        print(f"  all {args.visitors} visits took {time.monotonic() - began:.0f} s; load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        mine = await leave_and_wait(browser, server, args.ttl, start, args.trim)
        figures.update({f"A{wave}.{key}": figure for key, figure in mine.items()})
    return figures


async def runs(browser, args: argparse.Namespace, server: Server) -> dict[str, Figure]:
    """B: one visitor starts `args.runs` MLP runs in a row; figures named B.<figure>."""
    print(f"B. one visitor, {args.runs} MLP runs (1 epoch, {args.images} images):", flush=True)
    context, page = await arrive(browser, server.url)
    start = show("start (visitor on the home page)", server)
    reset_peak(server.pid)
    seconds = await train_runs(page, args.runs, args.images)
    print(f"  runs took {', '.join(f'{s:.0f}' for s in seconds)} s; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    tab_open = show(f"after {args.runs} runs, tab open", server)
    await context.close()
    figures = await leave_and_wait(browser, server, args.ttl, start, args.trim)
    figures.update(runs_tab_open=Figure(tab_open, "MB"), run_median=Figure(statistics.median(seconds), "s"))
    return {f"B.{key}": figure for key, figure in figures.items()}


async def run(args: argparse.Namespace, server: Server) -> dict[str, Figure]:
    """A warm-up visit, its session reaped; then A and B as asked."""
    url, figures = server.url, {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        await visit(browser, url)  # warm-up: loads the models and the test set
        await asyncio.sleep(args.ttl + 15)
        await visit(browser, url, tour=())  # stores a session, which reaps the expired warm-up session
        if args.visitors:
            figures.update(await crowds(browser, args, server))
        if args.runs:
            figures.update(await runs(browser, args, server))
        await browser.close()
    return figures


def parser() -> argparse.ArgumentParser:
    """Its options (also `python -m bench run NAME -- --help`)."""
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
    return parser


def main(argv: list[str] | None = None) -> dict[str, Figure]:
    """Print each part's RSS as it goes; return them (MB), named A<wave>.<figure> and B.<figure>."""
    args = parser().parse_args(argv)
    env = {**os.environ, "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.ttl),
           **dict(pair.split("=", 1) for pair in args.env)}
    with start_server(env=env) as server:
        return asyncio.run(run(args, server))


if __name__ == "__main__":
    main()
