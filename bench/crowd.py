"""Visitors in headless Chromium (async Playwright), as bench.visitors sends them: each arrives on the home
page, follows sidebar links, draws a stroke on Draw, or trains run after run on the Train page."""

import asyncio
import re
import time

from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.support.harness import IDLE, VIEWPORT

TOUR = ("Draw", "Filters and feature maps", "Where it looked", "Evaluate")
NAV = '[data-testid="stSidebarNav"]'
VERDICTS = "() => document.querySelectorAll('[data-testid=\"stMetric\"]').length > 0"


async def settle(page) -> None:
    """Wait until the page's script run has finished (Streamlit marks the app 'notRunning')."""
    await page.wait_for_timeout(300)  # let the rerun start before asking whether it ended
    await page.wait_for_function(IDLE, timeout=300_000)
    await page.wait_for_timeout(300)


async def follow(page, title: str) -> None:
    """Click the sidebar link called `title` (its name is an icon ligature, then the title)."""
    await page.locator(NAV).get_by_role("link", name=re.compile(rf"{re.escape(title)}$")).click()
    await settle(page)


async def stroke(page) -> None:
    """A vertical stroke down the middle of the Draw page's canvas; waits for the verdicts."""
    canvas = page.locator("canvas.upper-canvas")
    await canvas.wait_for()
    box = await canvas.bounding_box()
    x = box["x"] + 0.5 * box["width"]
    await page.mouse.move(x, box["y"] + 0.15 * box["height"])
    await page.mouse.down()
    for i in range(1, 25):
        await page.mouse.move(x, box["y"] + (0.15 + 0.7 * i / 24) * box["height"])
    await page.mouse.up()
    await page.wait_for_function(VERDICTS, timeout=300_000)
    await settle(page)


async def arrive(browser, url: str):
    """A new visitor (browser context) on the home page; returns (context, page)."""
    context = await browser.new_context(viewport=VIEWPORT)
    page = await context.new_page()
    page.set_default_timeout(120_000)
    await page.goto(url)
    await page.locator(NAV).get_by_role("link").first.wait_for()
    await settle(page)
    return context, page


async def visit(browser, url: str, tour: tuple[str, ...] = TOUR) -> None:
    """One visitor: the home page, then each page of `tour` by its sidebar link, then the tab closes."""
    context, page = await arrive(browser, url)
    for title in tour:
        await follow(page, title)
        if title == "Draw":
            await stroke(page)
    await context.close()


async def crowd(browser, url: str, count: int, at_once: int) -> None:
    gate = asyncio.Semaphore(at_once)

    async def one() -> None:
        async with gate:
            await visit(browser, url)

    await asyncio.gather(*(one() for _ in range(count)))


async def choose(page, label: str, value: str) -> None:
    """Move the sidebar's select slider `label` until it shows `value` (Home, then right)."""
    slider = page.locator('[data-testid="stSlider"]').filter(has_text=label)
    await slider.get_by_role("slider").focus()
    await slider.get_by_role("slider").press("Home")
    for _ in range(20):
        await settle(page)
        if value in await slider.inner_text():
            return
        await slider.get_by_role("slider").press("ArrowRight")
    raise RuntimeError(f"the {label} slider never showed {value}")


async def train_runs(page, runs: int, images: str) -> list[float]:
    """On the Train page: the MLP, 1 epoch, `images` images; `runs` runs in a row; their seconds."""
    await follow(page, "Train")
    model = page.locator('[data-testid="stSelectbox"]').filter(has_text="Model").get_by_role("combobox")
    for _ in range(5):  # a click while the page reruns can close the list again
        await model.click()
        try:
            await page.get_by_role("option", name="MLP", exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            await settle(page)
    await settle(page)
    await choose(page, "Epochs", "1")
    await choose(page, "Training images", images)
    seconds = []
    for _ in range(runs):
        start = time.monotonic()
        await page.get_by_role("button", name="Start training").click()
        await page.get_by_role("button", name="Stop training").wait_for()
        await page.get_by_role("button", name="Stop training").wait_for(state="detached", timeout=600_000)
        await settle(page)
        seconds.append(time.monotonic() - start)
    await page.wait_for_function("t => document.body.innerText.includes(t)", arg=f"Run {runs}: MLP, 1 ep,")
    return seconds
