"""The benchmarks' one entry point: list them, run some and keep each run's figures as JSON, compare two runs.

    python -m bench                                  # every benchmark: what it measures, its targets
    python -m bench run predict_latency classroom    # run each with its defaults; JSON in bench/results/
    python -m bench run stroke_latency -- --strokes 12   # arguments after -- go to the one benchmark named
    python -m bench run presets --record             # JSON in bench/recorded/ (committed; cited by RESULTS.md)
    python -m bench compare A.json B.json            # each figure side by side, with B / A

A benchmark is a module of this folder with a `main(argv)`; its docstring's first line says what it
measures and its `TARGETS` what it is held to. Both are read from the source, so listing imports nothing.
"""

import argparse
import ast
import importlib
import json
import sys
import time
from pathlib import Path

from bench.record import SCHEMA, Target, comparison_text, describe_load, describe_machine, git_state, now, write

HERE = Path(__file__).resolve().parent
RESULTS, RECORDED = HERE / "results", HERE / "recorded"


def benchmarks() -> dict[str, tuple[str, dict[str, str]]]:
    """{name: (the docstring's first sentence, TARGETS)} for every module here that defines `main`."""
    found = {}
    for path in sorted(HERE.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        if path.stem.startswith("_") or not any(
                isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body):
            continue
        targets = next((ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign)
                        and any(getattr(t, "id", None) == "TARGETS" for t in node.targets)), {})
        found[path.stem] = (" ".join((ast.get_docstring(tree) or "").split("\n\n")[0].split()), targets)
    return found


def list_text() -> str:
    """One paragraph per benchmark: its name, what it measures, its targets."""
    lines = []
    for name, (summary, targets) in benchmarks().items():
        lines.append(f"{name:<16} {summary}")
        if targets:
            lines.append(f"{'':<16} targets: " + ", ".join(f"{k} {Target.parse(v)}" for k, v in targets.items()))
    lines.append("\nRun: python -m bench run NAME [NAME ...] [-- ARGS]; each one's own options: "
                 "python -m bench run NAME -- --help")
    return "\n".join(lines)


def run_one(name: str, argv: list[str], folder: Path) -> Path:
    """Run benchmark `name` with `argv` as its arguments; write its result; return the file."""
    module = importlib.import_module(f"bench.{name}")
    settings = vars(module.parser().parse_args(argv))
    result = {"schema": SCHEMA, "benchmark": name, "summary": benchmarks()[name][0], "argv": argv,
              "settings": settings, "git": git_state(), "machine": describe_machine()}
    result["load_before"] = describe_load()
    result["started"], start = now(), time.monotonic()
    figures = module.main(argv)
    result["seconds"] = round(time.monotonic() - start, 1)
    result["load_after"] = describe_load()
    result["figures"] = {key: figure.as_json() for key, figure in figures.items()}
    verdicts = [f["met"] for f in result["figures"].values() if f["met"] is not None]
    result["targets_met"] = all(verdicts) if verdicts else None
    path = write(result, folder)
    print(f"{name}: {len(figures)} figures, targets {_verdict(verdicts)}; written to {path}", flush=True)
    return path


def _verdict(verdicts: list[bool]) -> str:
    return "none" if not verdicts else f"{sum(verdicts)} of {len(verdicts)} met"


def parser() -> argparse.ArgumentParser:
    """The commands: list, run and compare."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("list", help="every benchmark, what it measures and its targets (the default)")
    run = commands.add_parser("run", help="run benchmarks; arguments after -- go to the one named")
    run.add_argument("names", nargs="+", metavar="NAME")
    where = run.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, default=RESULTS, help="folder for the JSON (default: bench/results/, "
                       "not committed)")
    where.add_argument("--record", action="store_const", dest="out", const=RECORDED,
                       help="write to bench/recorded/, the results RESULTS.md cites (committed)")
    compare = commands.add_parser("compare", help="two results side by side: each figure, B / A, targets")
    compare.add_argument("a", type=Path)
    compare.add_argument("b", type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    """The CLI; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    cut = argv.index("--") if "--" in argv else len(argv)
    args, extra = parser().parse_args(argv[:cut]), argv[cut + 1:]
    if args.command in (None, "list"):
        print(list_text())
    elif args.command == "compare":
        print(comparison_text(*(json.loads(path.read_text()) for path in (args.a, args.b))))
    else:
        unknown = [name for name in args.names if name not in benchmarks()]
        if unknown or (extra and len(args.names) > 1):
            why = f"no benchmark called {', '.join(unknown)}" if unknown else "arguments after -- need one NAME"
            print(f"python -m bench run: {why}; python -m bench lists them", file=sys.stderr)
            return 2
        for name in args.names:
            run_one(name, extra, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
