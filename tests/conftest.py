"""Markers by folder (core, app, browser, host) and the fixtures tests share across the whole session:
one `streamlit run app.py` server, one headless Chromium, the first test digits and the shipped CNN."""

import os

import numpy as np
import pytest

from tests.support import ROOT
from tests.support.harness import chromium, chromium_missing, new_page, start_server

KINDS = ("core", "app", "browser", "host")  # tests/<kind>/test_*.py gets the marker <kind>


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.parent.name
        if folder in KINDS and item.path.parent.parent == ROOT / "tests":
            item.add_marker(folder)


@pytest.fixture(scope="session")
def app_url():
    """The app started as the README does, on a free loopback port, shared by the session; always stopped."""
    name = f"streamlit-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"  # one per pytest-xdist worker
    log = open(ROOT / ".pytest_cache" / name, "w") if (ROOT / ".pytest_cache").is_dir() else None
    try:
        with start_server(log=log) as server:
            yield server.url
    finally:
        if log:
            log.close()


@pytest.fixture(scope="session")
def browser():
    if message := chromium_missing():
        if os.environ.get("MNIST_LAB_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, app_url):
    """A fresh visitor (a browser context of its own) on the session's server."""
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture(scope="session")
def test_set() -> tuple[np.ndarray, np.ndarray]:
    """The first 100 official test digits as floats in [0, 1], and their labels."""
    from mnist_core import load_mnist

    _, (x_test, y_test) = load_mnist()
    return x_test[:100].astype(np.float32) / 255, y_test[:100]  # (100, 28, 28), (100,)


@pytest.fixture(scope="session")
def trained_cnn():
    """The shipped CNN (or, if it is missing, one trained for an epoch); tests only read it."""
    from mnist_core import TrainConfig
    from mnist_core.models.shipped import MODELS_DIR, load_model_file
    from mnist_core.training.engine import train

    if (MODELS_DIR / "cnn.keras").is_file():
        return load_model_file(MODELS_DIR / "cnn.keras")
    return train(TrainConfig(model="cnn", epochs=1, learning_rate=3e-3, train_size=20000)).model
