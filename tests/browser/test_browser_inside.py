"""The look-inside pages in headless Chromium at 1280×720: they render their charts, raise nothing,
and need no horizontal scrolling. Screenshots go to .pytest_cache/inside_<page>.png for a human look."""

import pytest

PAGES = {  # URL path → (page title, how many Plotly charts the page draws on the sample digit)
    "convolution": ("Convolution", 6),
    "filters": ("Filters and feature maps", 2),
    "mlp_vs_cnn": ("MLP vs CNN", 3),
    "saliency": ("Where it looked", 8),
    "digit_map": ("The map of digits", 2),
    "fool": ("Fool the network", 1),
    "unit": ("What one unit sees", 2),
}


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_without_errors_or_horizontal_scrolling(page, app_url, path):
    title, charts = PAGES[path]
    page.goto(f"{app_url}/{path}")  # a deep link, as a teacher would share it
    page.locator("h1", has_text=title).wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    page.wait_for_function("n => document.querySelectorAll('.js-plotly-plot').length >= n", arg=charts)
    page.wait_for_timeout(500)  # let the last chart finish its first layout before measuring
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "Traceback" not in page.content()
    assert page.get_by_text("Look inside").count() >= 1  # app.py's navigation, not a bare page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # Streamlit scrolls inside its main container: grow the window to show the whole page.
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1280, "height": max(720, height)})
    page.wait_for_timeout(500)
    page.screenshot(path=f".pytest_cache/inside_{path}.png", full_page=True)
