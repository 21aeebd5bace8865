"""Fool the network: the fewest pixels whose change flips each model's verdict on the learner's drawing."""

import hashlib

import pandas as pd
import streamlit as st

from mnist_core.inside.fooling import REFRESH, SHORTLIST, FoolResult, fool, rank
from mnist_core.models.inference import fingerprint
from mnist_core.models.registry import display_name
from mnist_core.plots.explorers import fooled_figure
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show, table
from ui.state import current_digit, kept

ANY = "any other digit"


def searches(models: dict, image, target: int | None, budget: int) -> dict[str, FoolResult]:
    """Each model's search on this drawing, run once per drawing, target, budget and model for this visitor."""
    drawn = hashlib.sha256(image.tobytes()).hexdigest()
    return {name: _search(name, fingerprint(model), drawn, target, budget, model, image)
            for name, model in models.items()}


@st.cache_resource(scope="session", max_entries=8, show_spinner="Searching for the fewest pixels that fool it…")
def _search(name: str, weights: str, drawn: str, target: int | None, budget: int, _model, _image) -> FoolResult:
    """Keyed by the model's name and weights, the drawing's bytes, the goal and the budget."""
    return fool(_model, _image, target, max_pixels=budget)


models = available_models()
with st.sidebar:
    name = st.selectbox("Model", list(models), format_func=display_name, key=kept("fool_model"))
    goal = st.selectbox("Make it read", [ANY, *range(10)], key=kept("fool_target"))
    budget = st.slider("Most pixels to change", 5, 100, 60, 5, key=kept("fool_budget"))

image, sentence = current_digit()
st.title("Fool the network")
st.caption(sentence)

target = None if goal == ANY else int(goal)
results = searches(models, image, target, budget)
result = results[name]
before, after = int(result.before.argmax()), int(result.after.argmax())

st.markdown(
    "How small a change makes a network change its mind? The search turns one pixel at a time to the "
    "opposite extreme (ink erased, or background inked) and keeps the change that "
    + (f"raises the probability of a **{target}** most" if target is not None else
       "lowers the probability of the current verdict most")
    + f", until the verdict flips or {budget} pixels are changed. To stay quick, it tries all 784 pixels only "
    f"every {REFRESH}th step; in between it tries the {SHORTLIST} that looked most promising in the last full scan."
)
titles = (f"Your digit: {before} ({result.before.max():.0%})",
          f"{len(result.pixels)} pixels changed", f"Now read as {after} ({result.after.max():.0%})")
st.plotly_chart(show(fooled_figure(result, titles)), key="fool_fig")
if target == before:
    st.info(f"{display_name(name)} already reads this digit as a {target}: choose another target.")
elif result.fooled:
    st.success(f"{display_name(name)} changed its mind from {before} to {after} after {len(result.pixels)} "
               f"of 784 pixels ({len(result.pixels) / 784:.1%}) were changed; the search tried "
               f"{result.tried:,} candidate images in {result.seconds:.2f} s.")
else:
    st.warning(f"{display_name(name)} still reads {after} after {len(result.pixels)} changed pixels "
               f"({result.seconds:.2f} s): it resisted this budget.")

counts = pd.DataFrame([{"model": display_name(n), "reads": int(r.before.argmax()),
                        "pixels changed": len(r.pixels), "now reads": int(r.after.argmax()),
                        "fooled": "yes" if r.fooled else "no", "seconds": round(r.seconds, 2)}
                       for n, r in results.items()])
st.subheader("How many pixels each model needed")
table(counts, hide_index=True)

ranking = rank(results)


def pixels(count: int) -> str:
    return f"{count} pixel" + ("" if count == 1 else "s")


def names(models: list[str]) -> str:
    return " and ".join(map(display_name, models))


teacher_notes(
    show="Pick a target the digit could plausibly become (a 7 into a 1), then an unlikely one.",
    notice="The changed digit still looks like the original to a person; the network's decision boundary is "
           "much nearer than ours. This is the idea behind *adversarial examples*.",
    questions=[
        ("Which model was easiest to fool?",
         f"{names(ranking.easiest)}, with {pixels(ranking.fewest)} ({ranking.fewest / 784:.1%} of the image)."
         if ranking.easiest else "None flipped within the budget: raise it." if ranking.hardest else
         "None needed a change: every model already reads the digit as the goal."),
        ("Which resisted most?",
         f"{names(ranking.hardest)}: {pixels(ranking.most)}." if ranking.most else
         f"{names(ranking.hardest)}: not fooled within {pixels(budget)}." if ranking.hardest else
         "None: every model already reads the digit as the goal."),
        ("Would you still read the changed digit as before?",
         "Compare the left and right pictures: a network can be confident and wrong about a change a person "
         "hardly notices."),
    ],
)
