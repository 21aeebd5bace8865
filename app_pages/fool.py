"""Fool the network: the fewest pixels whose change flips each model's verdict on the learner's drawing."""

import hashlib

import pandas as pd
import streamlit as st
from babel.lists import format_list

from mnist_core.i18n import N_, _, current, integer, ngettext, number, percent
from mnist_core.inside.fooling import REFRESH, SHORTLIST, FoolResult, Ranking, fool, rank
from mnist_core.models.inference import SIDE, fingerprint
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import percent as probability  # as the verdict cards write it
from mnist_core.plots.explorers import fooled_figure
from ui.lesson import mnist_numbers, teacher_notes
from ui.models import available_models
from ui.present import show, table
from ui.state import current_digit, kept

ANY = N_("any other digit")  # the goal's value in the widget; shown translated
PIXELS = SIDE * SIDE  # 784, the pixels of a drawing


def searches(models: dict, image, target: int | None, budget: int) -> dict[str, FoolResult]:
    """Each model's search on this drawing, run once per drawing, target, budget and model for this visitor."""
    drawn = hashlib.sha256(image.tobytes()).hexdigest()
    return {name: _search(name, fingerprint(model), drawn, target, budget, model, image)
            for name, model in models.items()}


@st.cache_resource(scope="session", max_entries=8, show_spinner=_("Searching for the fewest pixels that fool it…"))
def _search(name: str, weights: str, drawn: str, target: int | None, budget: int, _model, _image) -> FoolResult:
    """Keyed by the model's name and weights, the drawing's bytes, the goal and the budget."""
    return fool(_model, _image, target, max_pixels=budget)


def pixels(count: int) -> str:
    """ "12 pixels", to fill a sentence's {pixels}."""
    return ngettext("{count} pixel", "{count} pixels", count).format(count=integer(count))


def names(models: list[str]) -> str:
    """Model names as a list in the visitor's language: "MLP and CNN", "MLP und CNN"."""
    return format_list([display_name(model) for model in models], locale=current())


def method(target: int | None, budget: int) -> str:
    """How the search works, towards `target` (None: away from the current verdict), within `budget` pixels."""
    goal = (_("The search turns one pixel at a time to the opposite extreme (ink erased, or background inked) and "
              "keeps the change that raises the probability of **{target}** most, until the verdict flips or "
              "{budget} pixels are changed.") if target is not None else
            _("The search turns one pixel at a time to the opposite extreme (ink erased, or background inked) and "
              "keeps the change that lowers the probability of the current verdict most, until the verdict flips or "
              "{budget} pixels are changed."))
    return " ".join([
        _("How small a change makes a network change its mind?"), goal.format(target=target, budget=integer(budget)),
        # TRANSLATORS: {refresh} is a number (every 8th step); {shortlist} a number of pixels.
        _("To stay quick, it tries all {pixels} pixels only every {refresh}th step; in between it tries the "
          "{shortlist} that looked most promising in the last full scan.").format(
            refresh=REFRESH, shortlist=SHORTLIST, **mnist_numbers())])


def outcome(result: FoolResult, model: str, target: int | None) -> None:
    """Say whether the search fooled `model`: already the target, flipped, or resisted."""
    before, after, changed = int(result.before.argmax()), int(result.after.argmax()), len(result.pixels)
    if target == before:
        st.info(_("{model} already reads this digit as {target}: choose another target.").format(
            model=model, target=target))
    elif result.fooled:
        # TRANSLATORS: {before} and {after} are digits; {share} the changed pixels' share of the image.
        st.success(ngettext(
            "{model} changed its mind from {before} to {after} after {count} of {pixels} pixels ({share}) was "
            "changed; the search tried {tried} candidate images in {seconds} s.",
            "{model} changed its mind from {before} to {after} after {count} of {pixels} pixels ({share}) were "
            "changed; the search tried {tried} candidate images in {seconds} s.", changed).format(
            model=model, before=before, after=after, count=integer(changed), share=percent(changed / PIXELS, 1),
            tried=integer(result.tried), seconds=number(result.seconds, 2), **mnist_numbers()))
    else:
        st.warning(ngettext("{model} still reads {after} after {count} changed pixel ({seconds} s): it resisted this "
                            "budget.",
                            "{model} still reads {after} after {count} changed pixels ({seconds} s): it resisted this "
                            "budget.", changed).format(model=model, after=after, count=integer(changed),
                                                       seconds=number(result.seconds, 2)))


def easiest(ranking: Ranking) -> str:
    """The answer to "which model was easiest to fool?"."""
    if ranking.easiest:
        # TRANSLATORS: {models} lists model names; {pixels} says "12 pixels".
        return _("{models}, with {pixels} ({share} of the image).").format(
            models=names(ranking.easiest), pixels=pixels(ranking.fewest), share=percent(ranking.fewest / PIXELS, 1))
    return (_("None flipped within the budget: raise it.") if ranking.hardest else
            _("None needed a change: every model already reads the digit as the goal."))


def hardest(ranking: Ranking, budget: int) -> str:
    """The answer to "which resisted most?"."""
    if ranking.most:
        return _("{models}: {pixels}.").format(models=names(ranking.hardest), pixels=pixels(ranking.most))
    if ranking.hardest:
        return _("{models}: not fooled within {pixels}.").format(models=names(ranking.hardest), pixels=pixels(budget))
    return _("None: every model already reads the digit as the goal.")


models = available_models()
with st.sidebar:
    name = st.selectbox(_("Model"), list(models), format_func=display_name, key=kept("fool_model"))
    goal = st.selectbox(_("Make it read"), [ANY, *range(10)], key=kept("fool_target"),
                        format_func=lambda goal: _(goal) if goal == ANY else str(goal))
    budget = st.slider(_("Most pixels to change"), 5, 100, 60, 5, key=kept("fool_budget"))

image, sentence = current_digit()
st.title(_("Fool the network"))
st.caption(sentence)

target = None if goal == ANY else int(goal)
results = searches(models, image, target, budget)
result = results[name]
before, after = int(result.before.argmax()), int(result.after.argmax())

st.markdown(method(target, budget))
titles = (_("Your digit: {digit} ({confidence})").format(digit=before, confidence=probability(result.before.max())),
          ngettext("{count} pixel changed", "{count} pixels changed", len(result.pixels)).format(
              count=integer(len(result.pixels))),
          _("Now read as {digit} ({confidence})").format(digit=after, confidence=probability(result.after.max())))
st.plotly_chart(show(fooled_figure(result, titles)), key="fool_fig")
outcome(result, display_name(name), target)

counts = pd.DataFrame([{_("model"): display_name(n), _("reads"): int(r.before.argmax()),
                        _("pixels changed"): len(r.pixels), _("now reads"): int(r.after.argmax()),
                        _("fooled"): _("yes") if r.fooled else _("no"), _("seconds"): number(r.seconds, 2)}
                       for n, r in results.items()])
st.subheader(_("How many pixels each model needed"))
table(counts, hide_index=True)

ranking = rank(results)
teacher_notes(
    show=_("Pick a target the digit could plausibly become (a 7 into a 1), then an unlikely one."),
    notice=_("The changed digit still looks like the original to a person; the network's decision boundary is "
             "much nearer than ours. This is the idea behind *adversarial examples*."),
    questions=[
        (_("Which model was easiest to fool?"), easiest(ranking)),
        (_("Which resisted most?"), hardest(ranking, budget)),
        (_("Would you still read the changed digit as before?"),
         _("Compare the left and right pictures: a network can be confident and wrong about a change a person "
           "hardly notices.")),
    ],
)
