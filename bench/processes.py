"""What the processes on this machine use, read from /proc: CPU time per process and per kind (the server, its
training processes, the browsers, the rest), and a process's memory with its children's."""

import dataclasses
import os
import re
from pathlib import Path

KINDS = ("server", "training", "browsers", "other")
_PLAIN = re.compile(r"[\w./:-]{1,40}")


@dataclasses.dataclass(frozen=True)
class Proc:
    """One process as /proc/<pid>/stat shows it: its name, its parent, the CPU it has used (clock ticks)."""

    comm: str
    ppid: int
    ticks: int


def processes() -> dict[int, Proc]:
    """Every process /proc shows now (those that end while being read are left out)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            comm, rest = stat.read_text().rsplit(")", 1)
        except OSError:  # ended meanwhile
            continue
        fields = rest.split()
        found[int(stat.parent.name)] = Proc(comm.split("(", 1)[1], int(fields[1]), int(fields[11]) + int(fields[12]))
    return found


def command_line(pid: int, comm: str, words: int = 4) -> str:
    """The process's name and its first few plain arguments (flags, module names, paths), enough to tell what
    it is; anything else (JSON, key=value pairs, long strings) shows as "…", so that a result file never
    carries another process's settings or secrets."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").replace("\0", " ").split()[1:]
    except OSError:
        args = []
    shown = [arg if _PLAIN.fullmatch(arg) else "…" for arg in args[:words]]
    return " ".join([comm, *shown, *(["…"] if len(args) > words else [])])


def cpu_seconds(server: int) -> dict[str, float]:
    """CPU seconds used so far by the server, its training processes, the browsers and everything else."""
    used = dict.fromkeys(KINDS, 0.0)
    for pid, proc in processes().items():
        if pid == server:
            kind = "server"
        elif proc.ppid == server:
            kind = "training"
        else:
            kind = "browsers" if "chrom" in proc.comm else "other"
        used[kind] += proc.ticks / os.sysconf("SC_CLK_TCK")
    return used


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
