"""Fool the network: the fewest pixels whose change flips each model's verdict on the learner's drawing."""

import hashlib

import pandas as pd
import streamlit as st

from mnist_core.inside.fooling import FoolResult, fool
from mnist_core.models.registry import display_name
from mnist_core.plots.explorers import fooled_figure
from ui.present import show, table
from ui.state import available_models, current_digit, kept, visitor

ANY = "any other digit"


def searches(models: dict, image, target: int | None, budget: int) -> dict[str, FoolResult]:
    """Each model's search on this drawing, run once per drawing, target and budget for this visitor."""
    key = (hashlib.sha256(image.tobytes()).hexdigest(), target, budget, tuple(map(id, models.values())))
    me = visitor()
    if me.fool_results is None or me.fool_results[0] != key:
        bar = st.progress(0.0, text="Searching…")
        results = {}
        for i, (name, model) in enumerate(models.items()):
            def report(step: int, total: int, p: float, i: int = i, name: str = name) -> None:
                bar.progress((i + step / total) / len(models),
                             text=f"{display_name(name)}: {step} pixels changed, P(goal) {p:.0%}")
            results[name] = fool(model, image, target, max_pixels=budget, progress=report)
        bar.empty()
        me.fool_results = (key, results)
    return me.fool_results[1]


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
    "How small a change makes a network change its mind? The search tries every single pixel, turned to "
    "the opposite extreme (ink erased, or background inked), keeps the one that "
    + (f"raises the probability of a **{target}** most" if target is not None else
       "lowers the probability of the current verdict most")
    + f", and repeats until the verdict flips or {budget} pixels are changed."
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

fooled = {n: len(r.pixels) for n, r in results.items() if r.fooled and r.pixels}
with st.expander("Teacher's notes"):
    easiest = min(fooled, key=fooled.get) if fooled else None
    hardest = max(results, key=lambda n: (not results[n].fooled, len(results[n].pixels)))
    st.markdown(
        "**Show:** pick a target the digit could plausibly become (a 7 into a 1), then an unlikely one.\n\n"
        "**Notice:** the changed digit still looks like the original to a person; the network's decision "
        "boundary is much nearer than ours. This is the idea behind *adversarial examples*.\n\n"
        + (f"1. *Which model was easiest to fool?* {display_name(easiest)}, with {fooled[easiest]} "
           f"pixel{'s' if fooled[easiest] > 1 else ''} "
           f"({fooled[easiest] / 784:.1%} of the image).\n" if easiest else
           "1. *Which model was easiest to fool?* None flipped within the budget: raise it.\n")
        + f"2. *Which resisted most?* {display_name(hardest)}: "
        + (f"{len(results[hardest].pixels)} pixel{'s' if len(results[hardest].pixels) != 1 else ''}.\n"
           if results[hardest].fooled else
           f"not fooled within {budget} pixels.\n")
        + "3. *Would you still read the changed digit as before?* Compare the left and right pictures: "
          "a network can be confident and wrong about a change a person hardly notices."
    )
