"""Presenter mode: `?present=1` turns it on for the visit, and every figure's text is at least 16 px."""

import json
from pathlib import Path

import pytest

from tests.support.apptest import open_page
from ui.lesson import LESSON

PAGES = [step.path for step in LESSON]


def font_sizes(spec: dict) -> list[float]:
    """Every font size set anywhere in a Plotly figure's JSON."""
    found = []

    def walk(node) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("font"), dict) and "size" in node["font"]:
                found.append(node["font"]["size"])
            if isinstance(node.get("textfont"), dict) and "size" in node["textfont"]:
                found.append(node["textfont"]["size"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


@pytest.mark.parametrize("path", PAGES)
def test_every_figure_is_readable_from_the_back_of_the_room(path):
    at = open_page(path, present="1")
    assert at.toggle(key="present_switch").value
    for spec in figures(at):
        assert spec["layout"]["font"]["size"] >= 16, (path, spec["layout"].get("title"))
        assert min(font_sizes(spec)) >= 16, (path, sorted(font_sizes(spec))[:3])


def test_presenter_mode_shows_tables_as_plain_tables_with_the_same_numbers():
    """A dataframe is drawn on a canvas no style reaches; presenter mode shows the same numbers as text."""
    plain = open_page("app_pages/evaluate.py").dataframe[0].value
    at = open_page("app_pages/evaluate.py", present="1")
    assert not at.dataframe
    shown = at.table[0].value
    assert list(shown["precision"]) == list(plain["precision"])
    assert list(shown["support"]) == list(plain["support"]) and sum(plain["support"]) == 10_000


def test_presenter_mode_lasts_the_visit():
    at = open_page("app_pages/home.py", present="1")
    at.switch_page("app_pages/convolution.py").run()
    assert at.toggle(key="present_switch").value and at.query_params["present"] == "1"
    at.toggle(key="present_switch").set_value(False).run()
    assert "present" not in at.query_params
    assert all(min(font_sizes(spec), default=12) < 16 for spec in figures(at))  # ordinary sizes again


def test_the_pages_are_listed_in_the_lessons_order():
    assert [Path(step.path).stem for step in LESSON][:2] == ["lesson", "home"]
    assert sum(step.minutes for step in LESSON) == 45
