"""The run table: a live run's row shows its latest loss, the one its curve ends at, not its first.

The live view polls the run in a fragment and the page around it reruns only at the run's events (its first
batch, its end): a table drawn with the page kept the first batch's loss, 2.312, while the curve fell to 0.05.
"""

import os

import pytest
from playwright.sync_api import expect
from streamlit.testing.v1 import AppTest

from mnist_core.training.config import TrainConfig
from mnist_core.training.run import Progress, Run
from tests.support import ROOT
from tests.support.harness import new_page, start_server

# A page with only the run table, its one run live: fed a first report, and a later one once `fed` appears.
PAGE = '''
import os, pathlib, threading, time
import streamlit as st
from mnist_core.training.config import TrainConfig
from mnist_core.training.run import Progress, Run
from ui.present import presenter_switch
from ui.runs import run_table

def later(run):
    while not pathlib.Path(os.environ["FED"]).exists():
        time.sleep(0.05)
    run.record(Progress(1, 1, 60, 100, 0.05, 0.98, None, 6.0, None))

@st.cache_resource
def live():
    run = Run(TrainConfig(model="lenet5", epochs=1, train_size=2_000), number=1)
    run.begin()
    run.record(Progress(1, 1, 1, 100, 2.312, 0.1, None, 0.1, None))
    threading.Thread(target=later, args=(run,), daemon=True).start()
    return run

presenter_switch()  # ?present=1: the table as text in the page, not drawn on a canvas
run_table([], live())
'''


def report(step: int, loss: float) -> Progress:
    """A report from batch `step` of 100, as the engine sends one mid-epoch."""
    return Progress(epoch=1, epochs=1, step=step, total_steps=100, loss=loss, accuracy=0.5, images_per_s=None,
                    elapsed_s=step / 10, eta_s=None)


def table_of_the_live_run() -> None:
    """A page showing only the run table, with the run in session state as the one training now."""
    import streamlit as st

    from ui.runs import run_table

    run_table([], st.session_state["live"])


def test_a_live_runs_row_shows_its_latest_loss_not_its_first():
    run = Run(TrainConfig(model="lenet5", epochs=1, train_size=2_000), number=1)
    assert run.begin()
    run.record(report(1, 2.312))  # ≈ ln 10: the first batch, before it has learnt anything
    at = AppTest.from_function(table_of_the_live_run, default_timeout=60)
    at.session_state["live"] = run
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(at.dataframe[0].value["train loss"]) == [pytest.approx(2.312)]

    run.record(report(60, 0.05))  # where its curve is now
    at.run()
    row = at.dataframe[0].value.iloc[0]
    assert (row["status"], row["train loss"]) == ("running", pytest.approx(0.05))


def test_the_table_in_the_browser_follows_the_live_run_without_a_page_rerun(browser, tmp_path):
    (tmp_path / "app.py").write_text(PAGE)
    fed = tmp_path / "fed"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FED": str(fed)}
    with start_server(cwd=tmp_path, env=env) as server:
        page = new_page(browser)
        try:
            page.goto(f"{server.url}/?present=1")
            table = page.locator('[data-testid="stTable"]')
            expect(table).to_contain_text("2.312", timeout=60_000)  # its first run imports Keras
            fed.touch()  # the run reports again; nobody touches the page
            expect(table).to_contain_text("0.050", timeout=5_000)
            assert "2.312" not in table.inner_text()
        finally:
            page.context.close()
