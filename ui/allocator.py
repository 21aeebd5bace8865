"""Fewer malloc arenas for the server process, so that a crowd of visitors leaves less memory behind.

glibc gives a thread that finds the allocator busy an arena of its own, up to 8 per core, and memory freed
into an arena stays with the process. Streamlit runs every page in a thread of its own, and TensorFlow
predicts from a pool of threads, so five visitors at once spread their peak over many arenas: 30 visitors,
5 at a time, left the server 171 MB above its start; 111 MB with this cap, 78 MB with MALLOC_ARENA_MAX=2
set before the server starts (`python -m bench.visitors`, bench/RESULTS.md; on 2026-12-03 178–185 MB against
95 MB). By the time app.py runs, Streamlit's threads already have arenas, so `bash dev.sh run` and the Docker
image set MALLOC_ARENA_MAX before the server starts; this cap is for a plain `streamlit run app.py`. A second
crowd of 30 added nothing. Leaves a MALLOC_ARENA_MAX set by the host alone, and does nothing off glibc
(macOS, Windows, musl).
"""

import ctypes
import os
import platform

ARENAS = 2
M_ARENA_MAX = -8  # glibc's malloc.h


def fewer_malloc_arenas() -> bool:
    """Cap glibc's malloc arenas at `ARENAS` for this process; True if the cap was set (idempotent).

    glibc fixes its limit the first time it needs one, so this has effect only if called before the
    process has made many arenas: app.py calls it on its first run, before any model predicts.
    """
    if "MALLOC_ARENA_MAX" in os.environ or platform.libc_ver()[0] != "glibc":
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    return mallopt is not None and mallopt(M_ARENA_MAX, ARENAS) == 1
