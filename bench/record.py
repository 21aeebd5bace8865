"""What every benchmark shares: its figures and targets, the machine and load it ran on, its JSON result.

A benchmark's `main(argv)` prints as it always did and returns `{name: Figure}`; `python -m bench run` wraps
that call with `describe_machine`, `describe_load` before and after, and `write`. Targets are written once per
module as text, `TARGETS = {"median": "<= 250 ms"}`, so that listing them needs no import of the module.

A result file (schema 1), `bench/results/<benchmark>-<UTC start>.json`:

    schema, benchmark, summary         1, the module's name, its docstring's first sentence
    argv, settings                     the arguments given, and every option with its default filled in
    git                                {commit, dirty}: dirty when tracked files differ from the commit
    machine                            {cpu_count, cpu_model, bf16, memory_gb, platform, python, packages}
    load_before, load_after            {loadavg: [1, 5, 15 min], busiest: [{pid, cpu_percent, command}]}
    started, seconds                   UTC ISO time, wall seconds of `main`
    figures                            {name: {value, unit, target ("<= 250 ms" or null), met (bool or null)}}
    targets_met                        every target met (true), one missed (false), none set (null)
"""

import dataclasses
import datetime
import importlib.metadata
import json
import math
import os
import platform
import re
import subprocess
import time
from pathlib import Path

from bench.processes import command_line, processes

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = 1
PACKAGES = ("tensorflow", "tensorflow-cpu", "keras", "numpy", "streamlit", "playwright", "sqlalchemy")
_TARGET = re.compile(r"\s*(<=|>=)\s*([-+0-9.eE]+)\s*(.*?)\s*$")


@dataclasses.dataclass(frozen=True)
class Target:
    """A bound a figure must keep: at most `limit` (`<=`) or at least it (`>=`), in `unit`."""

    op: str
    limit: float
    unit: str = ""

    @classmethod
    def parse(cls, text: str) -> "Target":
        """`"<= 250 ms"` → Target("<=", 250.0, "ms")."""
        match = _TARGET.fullmatch(text)
        if not match:
            raise ValueError(f"a target reads like '<= 250 ms' or '>= 0.99', not {text!r}")
        return cls(match[1], float(match[2]), match[3])

    def met(self, value: float) -> bool:
        return value <= self.limit if self.op == "<=" else value >= self.limit

    def __str__(self) -> str:
        return f"{'≤' if self.op == '<=' else '≥'} {self.limit:g}{' ' + self.unit if self.unit else ''}"


@dataclasses.dataclass(frozen=True)
class Figure:
    """One measured number, its unit, and the target it is held to (text as in TARGETS), if any."""

    value: float | None
    unit: str = ""
    target: str | None = None

    def __post_init__(self) -> None:
        if self.target and Target.parse(self.target).unit != self.unit:
            raise ValueError(f"target {self.target!r} is not in the figure's unit {self.unit!r}")

    @property
    def met(self) -> bool | None:
        """Whether the target is met; None without a target or without a value."""
        if self.target is None or self.value is None or math.isnan(self.value):
            return None
        return Target.parse(self.target).met(self.value)

    def as_json(self) -> dict:
        value = None if self.value is None or math.isnan(self.value) else float(self.value)
        return {"value": value, "unit": self.unit, "target": self.target, "met": self.met}


def git_state() -> dict:
    """The commit checked out and whether the working tree differs from it."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {"commit": git("rev-parse", "HEAD") or None,
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def describe_machine() -> dict:
    """CPU count and model, memory, platform, Python and the key packages' versions."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text() if Path("/proc/meminfo").exists() else ""
    total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.M)
    return {"cpu_count": os.cpu_count(), "cpu_model": model[1] if model else platform.processor(),
            "bf16": " avx512_bf16 " in f" {cpuinfo} " or " amx_bf16 " in f" {cpuinfo} ",
            "memory_gb": round(int(total[1]) / 1024**2, 1) if total else None,
            "platform": platform.platform(), "python": platform.python_version(),
            "packages": {name: version for name in PACKAGES if (version := _version(name))}}


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def describe_load(sample_s: float = 1.0, top: int = 5) -> dict:
    """The load average and the processes that used the most CPU over the next `sample_s` seconds."""
    before, start = processes(), time.monotonic()
    time.sleep(sample_s)
    after, wall = processes(), time.monotonic() - start
    per_tick = 100 / os.sysconf("SC_CLK_TCK") / wall
    busy = sorted(((proc.ticks - before[pid].ticks) * per_tick, pid, proc.comm)
                  for pid, proc in after.items() if pid in before)[::-1]
    return {"loadavg": [round(x, 2) for x in os.getloadavg()],
            "busiest": [{"pid": pid, "cpu_percent": round(percent, 1), "command": command_line(pid, comm)}
                        for percent, pid, comm in busy[:top] if percent > 0]}


def now() -> str:
    """The time now, UTC, to the second, in ISO 8601."""
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def write(result: dict, folder: Path) -> Path:
    """`result` as `<folder>/<benchmark>-<UTC time>.json`; returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = result["started"].replace(":", "").replace("+0000", "Z")
    path = folder / f"{result['benchmark']}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


def compare(a: dict, b: dict) -> list[tuple[str, dict | None, dict | None, float | None]]:
    """Each figure of two results, in A's order then B's new ones: (name, A's, B's, B / A or None)."""
    names = list(a["figures"]) + [name for name in b["figures"] if name not in a["figures"]]
    rows = []
    for name in names:
        fa, fb = a["figures"].get(name), b["figures"].get(name)
        va, vb = (f["value"] if f else None for f in (fa, fb))
        rows.append((name, fa, fb, vb / va if va and vb is not None else None))
    return rows


def comparison_text(a: dict, b: dict) -> str:
    """`compare` as a table: figure, A, B, B / A, target and whether each meets it."""
    def cell(f: dict | None) -> str:
        if f is None or f["value"] is None:
            return "—"
        mark = {True: " ✓", False: " ✗", None: ""}[f["met"]]
        return f"{f['value']:.4g} {f['unit']}".rstrip() + mark

    lines = [f"A: {a['benchmark']} {a['started']} {(a['git']['commit'] or '?')[:8]}",
             f"B: {b['benchmark']} {b['started']} {(b['git']['commit'] or '?')[:8]}",
             f"{'figure':<40} {'A':>16} {'B':>16} {'B / A':>8}  target"]
    for name, fa, fb, ratio in compare(a, b):
        target = (fa or fb or {}).get("target") or ""
        lines.append(f"{name:<40} {cell(fa):>16} {cell(fb):>16} {'—' if ratio is None else f'{ratio:.3f}':>8}  "
                     f"{target}")
    return "\n".join(lines)
