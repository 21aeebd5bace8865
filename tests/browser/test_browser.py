"""The real thing: `streamlit run app.py` in headless Chromium, driven with the mouse like a visitor."""

import re

import pytest
from playwright.sync_api import expect

from mnist_core import MODELS

STROKES = {  # digit → strokes as lists of (x, y) in a 280×280 canvas
    1: [[(140, 50), (140, 230)]],
    7: [[(80, 60), (200, 60)], [(200, 60), (120, 230)]],
}


def verdict(page, label: str) -> str:
    """The value of the st.metric whose label is `label`."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{label}$")))
    return metric.locator('[data-testid="stMetricValue"]').inner_text()


def draw(page, strokes) -> None:
    box = page.locator("canvas.upper-canvas").bounding_box()
    scale = box["width"] / 280
    for stroke in strokes:
        (x0, y0), (x1, y1) = stroke
        page.mouse.move(box["x"] + x0 * scale, box["y"] + y0 * scale)
        page.mouse.down()
        for i in range(1, 21):  # many small moves: a real freehand stroke
            t = i / 20
            page.mouse.move(box["x"] + (x0 + t * (x1 - x0)) * scale, box["y"] + (y0 + t * (y1 - y0)) * scale)
        page.mouse.up()


def assert_no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.content()


def test_drawn_digits_are_read_by_the_cnn(page, app_url):
    page.goto(f"{app_url}/draw")
    page.wait_for_selector("canvas.upper-canvas")
    page.get_by_text("Draw a digit on the black square").wait_for()  # blank: a prompt, no verdicts
    assert page.locator('[data-testid="stMetric"]').count() == 0
    for digit, strokes in STROKES.items():
        draw(page, strokes)
        page.wait_for_function(
            """d => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
                 m.innerText.startsWith('CNN') && m.innerText.includes('\\n' + d + ' '))""", arg=str(digit))
        assert verdict(page, "CNN").startswith(f"{digit} ")
        page.screenshot(path=f".pytest_cache/draw_{digit}.png", full_page=True)
        page.get_by_role("button", name="Clear").click()
        page.get_by_text("Draw a digit on the black square").wait_for()
        # Clear swaps in a fresh canvas; the old one lingers as a stale element until the rerun ends.
        expect(page.locator("canvas.upper-canvas")).to_have_count(1)  # (it sits in a shadow root)
    assert_no_exception(page)


def test_a_non_image_upload_gets_one_clear_sentence(page, app_url):
    page.goto(f"{app_url}/draw")
    page.get_by_text("Upload", exact=True).click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": "digit.png", "mimeType": "image/png", "buffer": b"these are my notes, not a picture"})
    page.locator('[data-testid="stAlertContentError"]').wait_for()
    assert "not a PNG or JPEG image" in page.locator('[data-testid="stAlertContentError"]').inner_text()
    assert_no_exception(page)


def test_a_training_run_shows_live_curves_and_stops(page, app_url):
    page.goto(f"{app_url}/train")
    page.locator("h1", has_text="Train a model").wait_for()
    epochs = page.locator('[data-testid="stSlider"]').filter(has_text="Epochs").get_by_role("slider")
    epochs.focus()
    epochs.press("End")  # 20 epochs: long enough to stop it half-way
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stSlider"]')]
                                 .some(s => s.innerText.startsWith('Epochs') && s.innerText.includes('20'))""")
    page.get_by_role("button", name="Start training").click()
    page.get_by_text(re.compile(r"Epoch \d+/20 · step")).wait_for()
    page.locator('img[alt="the loss and accuracy so far"]').wait_for()  # the live curves, a picture
    page.get_by_text(re.compile(r"After \d+ batches it reads \d+ of these 10 test digits right")).wait_for()
    assert page.locator('img[alt^="a test "]').count() == 10  # the strip of test digits
    page.locator('img[alt="the 6 kernels"]').wait_for()  # LeNet-5, the page's first model: C1 has 6 kernels
    page.get_by_role("button", name="Stop training").click()
    page.get_by_text("Your runs").wait_for()
    page.get_by_text("Overlay on one chart").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()  # the stopped run joins the comparison chart
    assert page.get_by_role("button", name="Start training").is_enabled()
    page.screenshot(path=".pytest_cache/train_stopped.png", full_page=True)
    assert_no_exception(page)


def test_presenter_mode_shows_a_big_canvas_and_every_verdict_on_one_screen(page, app_url):
    """At 1280×720 with ?present=1 the class sees the drawing and all the verdicts together, unscrolled."""
    page.goto(f"{app_url}/draw?present=1")
    page.wait_for_selector("canvas.upper-canvas")
    canvas = page.locator("canvas.upper-canvas").bounding_box()
    assert canvas["width"] >= 400 and canvas["height"] >= 400
    assert canvas["y"] + canvas["height"] <= 720
    draw(page, STROKES[7])
    page.wait_for_function("n => document.querySelectorAll('[data-testid=\"stMetric\"]').length >= n",
                           arg=len(MODELS))
    page.wait_for_timeout(500)
    for box in (m.bounding_box() for m in page.locator('[data-testid="stMetric"]').all()):
        assert box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720
    page.screenshot(path=".pytest_cache/draw_presenter.png")
    assert_no_exception(page)


# The smallest rendered text in each Plotly chart on the page: tick labels, axis titles, legends, annotations.
SMALLEST_CHART_TEXT = """() => [...document.querySelectorAll('.js-plotly-plot')].map(chart =>
    Math.min(...[...chart.querySelectorAll('svg text')].filter(t => t.textContent.trim())
                                                     .map(t => parseFloat(getComputedStyle(t).fontSize))))"""


@pytest.mark.parametrize(("path", "tables"), [("evaluate", 1), ("mlp_vs_cnn", 0)])
def test_presenter_mode_charts_have_no_small_text_on_screen(page, app_url, path, tables):
    """What the browser draws, not only what the server sends: Streamlit's chart theme sets ticks and legends
    to 12 px over a figure's own font (seen before presenter mode set each of them); tables' cells too."""
    page.goto(f"{app_url}/{path}?present=1")
    page.locator(".js-plotly-plot .xtick text").first.wait_for(timeout=120_000)
    page.wait_for_timeout(1000)  # every chart drawn
    smallest = page.evaluate(SMALLEST_CHART_TEXT)
    assert smallest and min(smallest) >= 16, smallest
    assert page.locator('[data-testid="stTable"]').count() == tables  # tables, too, are text the class can read
    cells = page.locator('[data-testid="stTable"] td')
    sizes = [float(size[:-2]) for size in cells.evaluate_all("cs => cs.map(c => getComputedStyle(c).fontSize)")]
    assert all(size >= 16 for size in sizes), sizes
    assert_no_exception(page)


def test_a_drawing_comes_back_after_a_trip_to_another_page(page, app_url):
    page.goto(f"{app_url}/draw")
    page.wait_for_selector("canvas.upper-canvas")
    draw(page, STROKES[1])
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stMetric"]')].length > 0""")
    page.get_by_role("link", name="Convolution").click()
    page.locator("h1", has_text="Convolution").wait_for()
    page.get_by_text("Showing your latest drawing").wait_for()
    page.get_by_role("link", name="Draw").click()
    page.wait_for_selector("canvas.upper-canvas")
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stMetric"]')].length > 0""")
    assert verdict(page, "CNN").startswith("1 ")  # the verdicts, and the canvas's strokes, are back
    assert_no_exception(page)
