"""A class on one server: N visitors drawing while one trains, through the real server and real browsers.

    python -m bench.class_load --drawers 10
    python -m bench.class_load --drawers 1 3 5 10     # how many visitors this machine holds
    python -m bench.class_load --drawers 10 --think 3 # drawers who look at each verdict for 3 s

One headless Chromium, one browser context per visitor. The trainer (the teacher) opens the Train page
and picks the "Quick look" preset; 20 s later the drawers open Draw; 20 s after that the trainer
presses Start, and every drawer, until the run has ended, draws a stroke, waits for all the verdicts,
and clears (after `--think` seconds: none by default, a worst case; a student reading the verdicts takes
seconds; the drawers' first strokes are then spread over that time). The browsers run on the server's own
two cores, as a class's devices would not: the CPU each kind of process used during the run is printed.

Reported per round: stroke to verdict (median, p95, max, and strokes whose verdicts never came within
30 s), "Preparing" (from Start to the first progress on the trainer's page) and training (from there
to the run listed as ended), both as the trainer's page showed them, against the same config trained
alone by the engine in a fresh process (the CLI's path) right before. Targets (the training issue):
with 10 drawers, every verdict shown, p95 ≤ 1 s, Preparing ≤ 2 s median, the page's run within 1.25×
of the CLI's time.
"""

import argparse
import asyncio
import dataclasses
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playwright.async_api import async_playwright

from bench.memory import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, start_server, stop
from mnist_core import MODELS
from mnist_core.config import PRESETS
from mnist_core.device import fastest_precision

PRESET = "Quick look"
VERDICTS = "n => document.querySelectorAll('[data-testid=\"stMetric\"]').length >= n"
BLANK = "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length === 0"
ALONE = ("import sys, dataclasses; from mnist_core.config import PRESETS; from mnist_core.training import train; "
         "c = dataclasses.replace(PRESETS[sys.argv[1]], precision=sys.argv[2]); print(train(c).seconds)")


def alone_seconds() -> float:
    """The preset trained by the engine alone in a fresh process, as the CLI trains it."""
    done = subprocess.run([sys.executable, "-c", ALONE, PRESET, fastest_precision()], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return float(done.stdout.split()[-1])


def cpu_seconds(server: int) -> dict[str, float]:
    """CPU seconds used so far by the server, its training processes, the browsers and everything else (/proc)."""
    procs = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            comm, rest = stat.read_text().rsplit(")", 1)
        except OSError:  # ended meanwhile
            continue
        fields = rest.split()
        procs[int(stat.parent.name)] = (comm.split("(", 1)[1], int(fields[1]), int(fields[11]) + int(fields[12]))
    used = dict.fromkeys(("server", "training", "browsers", "other"), 0.0)
    for pid, (comm, ppid, ticks) in procs.items():
        if pid == server:
            kind = "server"
        elif ppid == server:
            kind = "training"
        else:
            kind = "browsers" if "chrom" in comm else "other"
        used[kind] += ticks / os.sysconf("SC_CLK_TCK")
    return used


async def stroke(page, x: float) -> None:
    box = await page.locator("canvas.upper-canvas").bounding_box()
    await page.mouse.move(box["x"] + x * box["width"], box["y"] + 0.15 * box["height"])
    await page.mouse.down()
    for i in range(1, 13):
        await page.mouse.move(box["x"] + x * box["width"], box["y"] + (0.15 + 0.7 * i / 12) * box["height"])
    await page.mouse.up()


async def drawer(context, url: str, training_over: asyncio.Event, seconds: list, lost: list, name: str,
                 think: float, ready: asyncio.Event, delay: float) -> None:
    page = await context.new_page()
    await page.goto(f"{url}/draw")
    await page.wait_for_selector("canvas.upper-canvas", timeout=120_000)
    await ready.wait()
    await asyncio.sleep(delay)  # students who read their verdicts do not all draw at the same instant
    i = 0
    while not training_over.is_set():
        try:
            await draw_once(page, i, seconds, lost, name, think)
        except Exception:  # noqa: BLE001 - a page that never came back: counted as lost, opened again
            lost.append(i)
            await page.goto(f"{url}/draw", timeout=120_000)
        i += 1


async def draw_once(page, i: int, seconds: list, lost: list, name: str, think: float) -> None:
    """One stroke, its verdicts timed, `think` seconds looking at them, then Clear."""
    await page.wait_for_selector("canvas.upper-canvas", timeout=120_000)
    await stroke(page, 0.3 + 0.4 * (i % 5) / 4)
    start = time.perf_counter()
    try:
        await page.wait_for_function(VERDICTS, arg=len(MODELS), timeout=30_000, polling="raf")
        seconds.append(time.perf_counter() - start)
        print(f"  {name}: {seconds[-1] * 1000:.0f} ms", flush=True)
    except Exception:  # noqa: BLE001 - a verdict that never came is counted, not fatal
        lost.append(i)
    await page.wait_for_timeout(think * 1000)
    await page.get_by_role("button", name="Clear", exact=True).click(timeout=60_000)
    await page.wait_for_function(BLANK, timeout=30_000)
    await page.wait_for_timeout(300)  # the emptied canvas settles


async def trainer(context, url: str, training_over: asyncio.Event, ready: asyncio.Event) -> dict:
    page = await context.new_page()
    await page.goto(f"{url}/train")
    await page.get_by_role("button", name=PRESET).click()
    await page.wait_for_timeout(2000)
    await ready.wait()  # every drawer has its canvas
    await page.get_by_role("button", name="Start training").click()
    clicked = time.perf_counter()
    await page.get_by_text("Epoch 1/").first.wait_for(timeout=600_000)
    began = time.perf_counter()
    await page.get_by_text("Your runs").wait_for(timeout=900_000)
    training_over.set()
    return {"preparing": began - clicked, "training": time.perf_counter() - began}


async def one_round(url: str, drawers: int, think: float, server: int) -> dict:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = [await browser.new_context(viewport={"width": 1280, "height": 720}) for _ in range(drawers + 1)]
        over, ready, seconds, lost = asyncio.Event(), asyncio.Event(), [], []
        train_task = asyncio.create_task(trainer(contexts[0], url, over, ready))
        await asyncio.sleep(20)  # the teacher has the Train page open before the class arrives
        draw_tasks = [asyncio.create_task(drawer(c, url, over, seconds, lost, f"drawer {i}", think, ready,
                                                 (think + 0.3) * i / drawers))
                      for i, c in enumerate(contexts[1:])]
        await asyncio.sleep(20)  # the drawers open Draw and load the models first
        ready.set()
        cpu_before, wall = cpu_seconds(server), time.perf_counter()
        result = await train_task
        cpu = {kind: used - cpu_before[kind] for kind, used in cpu_seconds(server).items()}
        cpu["available"] = (os.cpu_count() or 1) * (time.perf_counter() - wall)
        await asyncio.gather(*draw_tasks)
        await browser.close()
    return {**result, "seconds": sorted(seconds), "lost": len(lost), "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawers", type=int, nargs="+", default=[10])
    parser.add_argument("--think", type=float, default=0.0, help="seconds a drawer looks at the verdicts")
    args = parser.parse_args()
    config = dataclasses.replace(PRESETS[PRESET], precision=fastest_precision())
    alone = alone_seconds()
    print(f"{PRESET} ({config}) trained alone by the engine: {alone:.1f} s", flush=True)
    for n in args.drawers:
        port = free_port()
        server = start_server(sys.executable, ROOT, {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, port)
        try:
            r = asyncio.run(one_round(f"http://127.0.0.1:{port}", n, args.think, server.pid))
        finally:
            stop(server)
        s = r["seconds"] or [float("nan")]
        p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
        print(f"{n} drawers (think {args.think:g} s): {len(r['seconds'])} verdicts, {r['lost']} never shown; "
              f"stroke to verdict median "
              f"{statistics.median(s) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {s[-1] * 1000:.0f} ms; "
              f"preparing {r['preparing']:.1f} s; training as the page showed it {r['training']:.1f} s "
              f"= {r['training'] / alone:.2f}× the engine alone", flush=True)
        cpu = r["cpu"]
        print(f"  CPU from Start to the run's end, of {cpu['available']:.0f} core-seconds: " + ", ".join(
            f"{kind} {cpu[kind] / cpu['available']:.0%}" for kind in ("server", "training", "browsers", "other")),
            flush=True)


if __name__ == "__main__":
    main()
