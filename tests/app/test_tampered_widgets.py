"""Widget values a tampered browser sends, through Streamlit's own parsing (a raw WidgetStates, as a websocket
message carries it): each gives the page's default or one sentence, never a traceback, and the session keeps
working. Values in the right field but out of range are tests/app/test_run_caps.py's and test_input_hardening's."""

import json

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

from tests.support.apptest import open_page
from ui.resources import guard_against_visitors
from ui.selection import NOT_A_POINT

WRONG_FIELD = {"toggle": {"string_value": "x"}, "radio": {"bool_value": True}, "selectbox": {"bool_value": True},
               "select_slider": {"int_value": 7}}  # a field each kind of widget does not use, with a value


@pytest.fixture(autouse=True, scope="module")
def guarded():
    guard_against_visitors()  # as app.py does before any page


@pytest.fixture(scope="module")
def evaluate_page(guarded) -> AppTest:
    return open_page("app_pages/evaluate.py")  # one visitor, clicking again and again


@pytest.fixture(scope="module")
def map_page(guarded) -> AppTest:
    return open_page("app_pages/digit_map.py")


def sent(at: AppTest, widget_id: str, **value) -> AppTest:
    """Rerun `at` as if the browser had sent `value` (one WidgetState field) for the widget `widget_id`."""
    states = WidgetStates()
    state = states.widgets.add()
    state.id = widget_id
    for field, content in value.items():
        setattr(state, field, content)
    at._run(states)  # AppTest's own way in for a raw widget state
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_train_settings_sent_in_the_wrong_field_fall_back_to_their_defaults():
    """Before, a slider's value sent as a number (not a list of indices) was a TypeError in the page."""
    at = open_page("app_pages/train.py")
    for kind in WRONG_FIELD:
        for widget in at.get(kind):
            sent(at, widget.proto.id, **WRONG_FIELD[kind])
    assert not at.error and at.button(key="train_start")  # the page still offers a run
    sent(at, next(w.proto.id for w in at.get("selectbox") if w.key == "language_switch"), string_value="../x")
    assert at.sidebar.selectbox(key="language_switch").value == "en"  # a language the app does not speak


def chart_id(at: AppTest, key: str) -> str:
    return next(node.proto.id for node in at.get("plotly_chart") if node.proto.id.endswith(key))


@pytest.mark.parametrize("point", [{"x": "**bold**", "y": 1}, {"y": 3}, {"x": 99, "y": 1}, {"x": float("nan"), "y": 1}],
                         ids=["text", "no x", "beyond", "NaN"])
def test_a_tampered_confusion_matrix_click_gets_one_sentence(evaluate_page, point):
    at = evaluate_page
    sent(at, chart_id(at, "eval_confusion"), string_value=json.dumps({"selection": {"points": [point]}}))
    assert [w.value for w in at.warning] == [NOT_A_POINT]
    assert "bold" not in " ".join(h.value for h in at.subheader)
    sent(at, chart_id(at, "eval_confusion"), string_value=json.dumps({"selection": {"points": [{"x": 2, "y": 7}]}}))
    assert at.subheader[0].value.startswith("True 7, read as 2:") and not at.warning  # the next click works


@pytest.mark.parametrize("customdata", [10**9, -1, "**bold**", float("inf")], ids=["beyond", "negative", "text", "inf"])
def test_a_tampered_click_on_the_map_gets_one_sentence(map_page, customdata):
    at = map_page
    sent(at, chart_id(at, "map_fig"), string_value=json.dumps({"selection": {"points": [{"customdata": customdata}]}}))
    assert [w.value for w in at.warning] == [NOT_A_POINT]
    sent(at, chart_id(at, "map_fig"), string_value=json.dumps({"selection": {"points": [{"customdata": 7}]}}))
    assert not at.warning and "Test digit #7" in json.dumps(str(at.get("plotly_chart")[-1].proto))
