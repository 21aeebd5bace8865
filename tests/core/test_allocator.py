"""The server's malloc arena cap, checked against glibc's own account of its heaps (`malloc_info`)."""

import os
import platform
import re
import subprocess
import sys

import pytest

from tests.support import ROOT
from tests.support.hosting import dockerfile_env
from ui.allocator import ARENAS, fewer_malloc_arenas

glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc arenas are glibc's")

# Eight threads allocate at once through ctypes (which lets go of the GIL), then glibc lists its heaps.
HEAPS = """
import ctypes, sys, tempfile, threading
from ui.allocator import fewer_malloc_arenas
capped = fewer_malloc_arenas() if sys.argv[1] == "cap" else False
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.fopen.restype = ctypes.c_void_p, ctypes.c_void_p
start, kept = threading.Barrier(8), []
def allocate():
    start.wait()
    kept.extend(libc.malloc(4096) for _ in range(200))
threads = [threading.Thread(target=allocate) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
with tempfile.NamedTemporaryFile(suffix=".xml") as out:
    stream = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    print(capped, open(out.name).read().count("<heap nr="))
"""


def heaps(mode: str, **env: str) -> tuple[str, int]:
    """(whether the cap was set, how many heaps glibc reports) in a fresh process."""
    clean = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    out = subprocess.run([sys.executable, "-c", HEAPS, mode], cwd=ROOT, env={**clean, **env}, check=True,
                         capture_output=True, text=True).stdout.split()
    return out[0], int(out[1])


@glibc_only
def test_the_cap_holds_the_heaps_at_two_where_eight_threads_would_make_more():
    assert heaps("none")[1] > ARENAS + 2  # without the cap each new thread gets an arena of its own
    assert heaps("cap") == ("True", ARENAS)


@glibc_only
def test_a_hosts_own_setting_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert fewer_malloc_arenas() is False
    assert heaps("cap", MALLOC_ARENA_MAX="4") == ("False", 4)


def test_off_glibc_nothing_is_done(monkeypatch):
    monkeypatch.setattr(platform, "libc_ver", lambda: ("", ""))
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    assert fewer_malloc_arenas() is False


def test_the_servers_we_start_cap_the_arenas_from_their_first_thread_at_the_same_number():
    """In-process the cap comes after Streamlit's threads have their arenas; the Docker image and `dev.sh run`
    set it before the server starts (30 visitors left 95 MB behind against 185 MB: bench/RESULTS.md)."""
    assert dockerfile_env()["MALLOC_ARENA_MAX"] == str(ARENAS)
    launch = re.search(r"MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-(\d+)\} exec \S+streamlit run app.py",
                       (ROOT / "dev.sh").read_text())
    assert launch and launch.group(1) == str(ARENAS)
