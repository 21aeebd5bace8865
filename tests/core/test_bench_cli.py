"""`python -m bench`: the listing names every benchmark on disk, `compare` gives known ratios, a run's JSON
has the promised fields and says when a target is missed, and what bench takes from the shared harness
exists. No browser, no training, no TensorFlow: a few seconds."""

import argparse
import ast
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from bench import __main__ as cli
from bench.record import Figure, Target, compare
from tests.support import ROOT


def bench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True)


def test_listing_names_every_benchmark_module_on_disk():
    # The known answer, from the folder itself: a benchmark is a bench/*.py with a top-level `def main(`.
    on_disk = {path.stem for path in (ROOT / "bench").glob("*.py") if "\ndef main(" in path.read_text()}
    on_disk.discard("__main__")
    assert {"train_to_99", "stroke_latency", "class_load", "memory"} <= on_disk  # the glob found the folder
    listing = bench("list")
    assert listing.returncode == 0, listing.stderr
    listed = {line.split()[0] for line in listing.stdout.splitlines() if line and not line[0].isspace()} - {"Run:"}
    assert listed == on_disk
    assert bench().stdout == listing.stdout  # listing is the default
    for line in listing.stdout.splitlines():  # every benchmark says what it measures
        if line and not line[0].isspace() and not line.startswith("Run:"):
            assert len(line.split(maxsplit=1)) == 2, line


def result(figures: dict[str, tuple[float | None, str, str | None]], commit: str) -> dict:
    """A hand-written result file's content, as `python -m bench run` writes it."""
    return {"schema": 1, "benchmark": "hand", "started": "2026-12-04T12:00:00+00:00", "git": {"commit": commit},
            "figures": {name: Figure(*f).as_json() for name, f in figures.items()}}


@pytest.fixture
def two_results(tmp_path: Path) -> tuple[Path, Path]:
    a = result({"median": (200.0, "ms", "<= 250 ms"), "p95": (800.0, "ms", "<= 500 ms"),
                "ratio": (0.5, "", None), "gone": (3.0, "s", None)}, "a" * 40)
    b = result({"median": (50.0, "ms", "<= 250 ms"), "p95": (400.0, "ms", "<= 500 ms"),
                "ratio": (1.5, "", None), "new": (7.0, "MB", None)}, "b" * 40)
    paths = tmp_path / "a.json", tmp_path / "b.json"
    for path, content in zip(paths, (a, b)):
        path.write_text(json.dumps(content))
    return paths


def test_compare_gives_the_known_ratios(two_results):
    a, b = (json.loads(path.read_text()) for path in two_results)
    rows = {name: ratio for name, _, _, ratio in compare(a, b)}
    assert list(rows) == ["median", "p95", "ratio", "gone", "new"]  # A's order, then B's new figures
    assert rows["median"] == pytest.approx(0.25)
    assert rows["p95"] == pytest.approx(0.5)
    assert rows["ratio"] == pytest.approx(3.0)
    assert rows["gone"] is None and rows["new"] is None


def test_compare_prints_each_figure_side_by_side(two_results):
    shown = bench("compare", *map(str, two_results))
    assert shown.returncode == 0, shown.stderr
    lines = {line.split()[0]: line for line in shown.stdout.splitlines()[3:]}
    assert lines["median"].split()[1:6] == ["200", "ms", "✓", "50", "ms"] and " 0.250 " in lines["median"]
    assert "800 ms ✗" in lines["p95"] and "400 ms ✓" in lines["p95"] and " 0.500 " in lines["p95"]
    assert " 3.000 " in lines["ratio"]
    assert "aaaaaaaa" in shown.stdout and "bbbbbbbb" in shown.stdout


def test_targets_read_as_written():
    assert Target.parse("<= 250 ms") == Target("<=", 250.0, "ms")
    assert Target.parse(">= 0.99").met(0.99) and not Target.parse(">= 0.99").met(0.9899)
    assert Target.parse("<= 250 ms").met(250) and not Target.parse("<= 250 ms").met(250.5)
    assert str(Target.parse("<= 1.25")) == "≤ 1.25"
    assert Figure(float("nan"), "ms", "<= 5 ms").met is None
    with pytest.raises(ValueError):
        Figure(3.0, "s", "<= 250 ms")  # a target in another unit than its figure
    with pytest.raises(ValueError):
        Target.parse("under 250 ms")


def test_a_run_writes_its_figures_machine_and_load(tmp_path, monkeypatch):
    fake = types.ModuleType("bench.fake")
    fake.parser = lambda: argparse.ArgumentParser(prog="fake")
    fake.main = lambda argv: {"fast": Figure(4.0, "ms", "<= 5 ms"), "slow": Figure(30.0, "ms", "<= 20 ms")}
    monkeypatch.setitem(sys.modules, "bench.fake", fake)
    monkeypatch.setattr(cli, "benchmarks", lambda: {"fake": ("A stand-in.", {})})
    written = json.loads(cli.run_one("fake", [], tmp_path).read_text())
    assert written["benchmark"] == "fake" and written["summary"] == "A stand-in."
    assert written["figures"]["fast"] == {"value": 4.0, "unit": "ms", "target": "<= 5 ms", "met": True}
    assert written["figures"]["slow"]["met"] is False and written["targets_met"] is False
    assert written["machine"]["cpu_count"] >= 1 and written["machine"]["python"] == sys.version.split()[0]
    assert len(written["load_before"]["loadavg"]) == 3 and "busiest" in written["load_after"]
    assert len(written["git"]["commit"]) == 40


def test_run_refuses_an_unknown_name():
    refused = bench("run", "no_such_benchmark")
    assert refused.returncode == 2 and "no benchmark called no_such_benchmark" in refused.stderr


def test_what_bench_takes_from_the_shared_harness_is_there():
    # Checked from the source, so that no benchmark (nor TensorFlow) is imported: a renamed harness name fails here.
    harness = ast.parse((ROOT / "tests" / "support" / "harness.py").read_text())
    defined = {node.name for node in harness.body if isinstance(node, ast.FunctionDef | ast.ClassDef)}
    defined |= {t.id for node in harness.body if isinstance(node, ast.Assign) for t in node.targets
                if isinstance(t, ast.Name)}
    taken = {(path.stem, alias.name) for path in (ROOT / "bench").glob("*.py")
             for node in ast.parse(path.read_text()).body
             if isinstance(node, ast.ImportFrom) and node.module == "tests.support.harness" for alias in node.names}
    assert {name for _, name in taken} >= {"start_server", "CHROMIUM"}  # bench does use the harness
    assert [(module, name) for module, name in sorted(taken) if name not in defined] == []
