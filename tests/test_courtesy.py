"""Training gives way to pages: it waits while a page runs, never longer than its batch took."""

import threading
import time

from mnist_core.courtesy import MAX_PAUSE_S, PageWork


def test_no_page_running_means_no_pause():
    assert PageWork().give_way(batch_s=1.0) < 0.01


def test_a_pause_ends_when_the_page_ends():
    pages = PageWork()
    pages.begin("visitor-1")
    threading.Timer(0.05, pages.end, args=("visitor-1",)).start()
    waited = pages.give_way(batch_s=5.0)
    assert 0.04 < waited < MAX_PAUSE_S and not pages.busy()


def test_a_pause_never_outlasts_the_batch_so_training_keeps_half_its_speed():
    pages = PageWork()
    pages.begin("a visitor who never stops drawing")
    started = time.perf_counter()
    waited = [pages.give_way(batch_s=0.02) for _ in range(5)]
    assert all(0.015 < w < 0.1 for w in waited) and time.perf_counter() - started < 0.5
    assert pages.give_way(batch_s=60.0) < MAX_PAUSE_S + 0.1  # and never more than MAX_PAUSE_S


def test_two_pages_must_both_end():
    pages = PageWork()
    pages.begin("a")
    pages.begin("b")
    pages.end("a")
    assert pages.busy()
    pages.end("b")
    assert not pages.busy()
