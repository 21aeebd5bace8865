"""A class on one server: N visitors drawing while one trains, through the real server and real browsers.

    python -m bench.class_load --drawers 10
    python -m bench.class_load --drawers 1 3 5 10     # how many visitors this machine holds
    python -m bench.class_load --drawers 10 --think 3 # drawers who look at each verdict for 3 s
    python -m bench.class_load --drawers 10 20 --browsers 1 --think 3  # the others replay one's messages

One headless Chromium, one browser context per visitor. The trainer (the teacher) opens the Train page
and picks a preset (`--preset`, by default the quickest, "Quick look"); 20 s later the drawers open Draw;
20 s after that the trainer presses Start, and every drawer, until the run has ended, draws a stroke,
waits for all the verdicts, and clears (after `--think` seconds: none by default, a worst case; a student
reading the verdicts takes seconds; the drawers' first strokes are then spread over that time). The
browsers run on the server's own two cores, as a class's devices would not: the CPU each kind of process
used during the run is printed.
`--browsers K` keeps K drawers in Chromium and makes the others replay, over websockets of their own, the
messages a real Chromium sent for its strokes (`bench.drawers`, recorded on the same server first): the
server does for them what it does for a browser, while their drawing costs this machine next to nothing,
as a class's own devices would; their stroke to verdict is timed to the last verdict's arrival, the
browser drawers' to its appearance on screen, and both are reported.

Reported per round: stroke to verdict (median, p95, max, and strokes whose verdicts never came within
30 s), "Preparing" (from Start to the first progress on the trainer's page) and training (from there to the
run listed as ended), both as the trainer's page showed them, against the same config trained alone by
the engine in a fresh process (the CLI's path; its `seconds`, as the CLI prints them) right before and right
after each round (their mean), and for several rounds the median of those ratios. Targets (the training issue):
with 10 drawers, every verdict shown, p95 ≤ 1 s, Preparing ≤ 2 s median, the page's run within 1.25× of
the CLI's time.
"""

import argparse
import asyncio
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright

from bench.drawers import drawer, record, replayed_drawer
from bench.memory import CHROMIUM, CHROMIUM_ARGS, ROOT, free_port, start_server, stop
from mnist_core.training.config import PRESETS
from mnist_core.training.device import fastest_precision

ALONE = ("import sys, dataclasses; from mnist_core.training.config import PRESETS; "
         "from mnist_core.training.engine import train; "
         "c = dataclasses.replace(PRESETS[sys.argv[1]], precision=sys.argv[2]); print(train(c).seconds)")


def alone_seconds(preset: str) -> float:
    """The preset trained by the engine alone in a fresh process, as the CLI trains it."""
    done = subprocess.run([sys.executable, "-c", ALONE, preset, fastest_precision()], cwd=ROOT, check=True,
                          capture_output=True, text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return float(done.stdout.split()[-1])


def chromium(nice: int) -> str:
    """Debian's Chromium, or a wrapper that starts it at niceness `nice` (its renderers inherit it)."""
    if not nice:
        return CHROMIUM
    wrapper = Path(tempfile.gettempdir()) / f"chromium-nice-{nice}"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {nice} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


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


async def trainer(context, url: str, preset: str, training_over: asyncio.Event, ready: asyncio.Event) -> dict:
    page = await context.new_page()
    await page.goto(f"{url}/train")
    await page.get_by_role("button", name=preset).click()
    await page.wait_for_timeout(2000)
    await ready.wait()  # every drawer has its canvas
    await page.get_by_role("button", name="Start training").click()
    clicked = time.perf_counter()
    await page.get_by_text("Epoch 1/").first.wait_for(timeout=600_000)
    began = time.perf_counter()
    await page.get_by_text("Your runs").wait_for(timeout=900_000)
    training_over.set()
    return {"preparing": began - clicked, "training": time.perf_counter() - began}


async def one_round(url: str, args: argparse.Namespace, drawers: int, replayed: int, server: int) -> dict:
    preset, think = args.preset, args.think
    recording = await record(url) if replayed else None
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium(args.browser_nice), args=CHROMIUM_ARGS)
        contexts = [await browser.new_context(viewport={"width": 1280, "height": 720})
                    for _ in range(drawers - replayed + 1)]
        over, ready = asyncio.Event(), asyncio.Event()
        seconds, lost = {"browser": [], "replayed": []}, {"browser": [], "replayed": []}
        train_task = asyncio.create_task(trainer(contexts[0], url, preset, over, ready))
        await asyncio.sleep(20)  # the teacher has the Train page open before the class arrives
        draw_tasks = []
        for i in range(drawers):
            kind = "replayed" if i >= drawers - replayed else "browser"
            where = recording if kind == "replayed" else contexts[1 + i]
            draw = replayed_drawer if kind == "replayed" else drawer
            draw_tasks.append(asyncio.create_task(draw(where, url, over, seconds[kind], lost[kind], f"{kind} {i}",
                                                       think, ready, (think + 0.3) * i / drawers)))
        await asyncio.sleep(20)  # the drawers open Draw and load the models first
        ready.set()
        cpu_before, wall = cpu_seconds(server), time.perf_counter()
        result = await train_task
        cpu = {kind: used - cpu_before[kind] for kind, used in cpu_seconds(server).items()}
        cpu["available"] = (os.cpu_count() or 1) * (time.perf_counter() - wall)
        await asyncio.gather(*draw_tasks)
        await browser.close()
    return {**result, "seconds": seconds, "lost": lost, "cpu": cpu}


def summary(seconds: list[float], lost: int) -> str:
    """Count, median, p95 and max of stroke-to-verdict times, and how many verdicts never came."""
    s = sorted(seconds) or [float("nan")]
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return (f"{len(seconds)} verdicts, {lost} never shown; stroke to verdict median "
            f"{statistics.median(s) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {s[-1] * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawers", type=int, nargs="+", default=[10])
    parser.add_argument("--think", type=float, default=0.0, help="seconds a drawer looks at the verdicts")
    parser.add_argument("--browsers", type=int, help="drawers in Chromium (default: all); the others replay "
                        "a real Chromium's messages (bench.drawers)")
    parser.add_argument("--preset", choices=list(PRESETS), default=next(iter(PRESETS)),
                        help="what the teacher trains (default: the quickest, the Train page's first)")
    parser.add_argument("--browser-nice", type=int, default=0, help="run the round's Chromium at this niceness "
                        "(19: it gets only what the server and the training process leave, as if elsewhere)")
    args = parser.parse_args()
    print(f"{args.preset}: {dataclasses.replace(PRESETS[args.preset], precision=fastest_precision())}", flush=True)
    alone, ratios = [alone_seconds(args.preset)], []
    for n in args.drawers:
        port = free_port()
        server = start_server(sys.executable, ROOT, {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}, port)
        try:
            replayed = 0 if args.browsers is None else max(0, n - max(0, args.browsers))
            r = asyncio.run(one_round(f"http://127.0.0.1:{port}", args, n, replayed, server.pid))
        finally:
            stop(server)
        # Again after each round: on a shared machine it drifts by tens of percent, so each round is set against
        # the mean of the engine's runs just before and just after it.
        alone.append(alone_seconds(args.preset))
        reference = (alone[-2] + alone[-1]) / 2
        ratios.append(r["training"] / reference)
        niced = f", Chromium at nice {args.browser_nice}" if args.browser_nice else ""
        print(f"{n} drawers ({replayed} replayed; think {args.think:g} s{niced}): preparing {r['preparing']:.1f} s; "
              f"training as the page showed it {r['training']:.1f} s, alone by the engine just before and after "
              f"{alone[-2]:.1f} and {alone[-1]:.1f} s: {ratios[-1]:.2f}×", flush=True)
        report(r)
    if len(ratios) > 1:
        print(f"page / alone over {len(ratios)} rounds: median {statistics.median(ratios):.2f}× "
              f"({min(ratios):.2f}–{max(ratios):.2f}×); the engine alone {min(alone):.1f}–{max(alone):.1f} s",
              flush=True)


def report(r: dict) -> None:
    """Stroke to verdict for each kind of drawer and for all, then the CPU each kind of process used."""
    for kind, seconds in r["seconds"].items():
        if seconds or r["lost"][kind]:
            print(f"  {kind} drawers: {summary(seconds, len(r['lost'][kind]))}", flush=True)
    every = [t for seconds in r["seconds"].values() for t in seconds]
    if every and all(r["seconds"].values()):  # both kinds drew
        print(f"  all drawers: {summary(every, sum(map(len, r['lost'].values())))}", flush=True)
    cpu = r["cpu"]
    print(f"  CPU from Start to the run's end, of {cpu['available']:.0f} core-seconds: " + ", ".join(
        f"{kind} {cpu[kind] / cpu['available']:.0%}" for kind in ("server", "training", "browsers", "other")),
        flush=True)


if __name__ == "__main__":
    main()
