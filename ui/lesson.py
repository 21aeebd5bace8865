"""The 45-minute lesson the app is built around: the pages in teaching order, how long each takes and
what the class should take away. `app.py` builds the navigation from this list, and the Lesson page
shows it, so the pages' order is the lesson's order by construction. Titles, sections and take-aways are
stored in English, marked with N_, and translated where they are shown."""

from dataclasses import dataclass

import numpy as np
import streamlit as st

from mnist_core.data.sources import SHAPES
from mnist_core.i18n import N_, _, integer, percent
from mnist_core.models.inference import SIDE


@dataclass(frozen=True)
class Step:
    """One page of the app and its place in the lesson (minutes 0: a page for extra time, after the timed ones)."""

    path: str
    title: str
    icon: str
    section: str
    minutes: int
    takeaway: str

    def name(self) -> str:
        """The page's title in the visitor's language."""
        return _(self.title)

    def lesson(self) -> str:
        """What the class should take away, in the visitor's language, its numbers written the language's way."""
        return _(self.takeaway).format(**mnist_numbers())


def mnist_numbers() -> dict[str, str]:
    """MNIST's sizes, ready for a sentence's placeholders: {train_digits}, {test_digits}, {pixels}."""
    return {"train_digits": integer(SHAPES["y_train"][0]), "test_digits": integer(SHAPES["y_test"][0]),
            "pixels": integer(SIDE * SIDE)}


LESSON = [
    Step("app_pages/lesson.py", N_("Lesson plan"), ":material/school:", N_("Start"), 1,
         N_("The plan: which page when, and what to take away.")),
    Step("app_pages/home.py", N_("The models"), ":material/neurology:", N_("Start"), 2,
         N_("Four networks learned to read digits from {train_digits} examples; we score them on {test_digits} "
            "they never saw.")),
    Step("app_pages/draw.py", N_("Draw"), ":material/draw:", N_("Start"), 6,
         N_("They read our handwriting too, but only once it is prepared the way their training digits were; and they "
            "must name a digit, even for a drawing that is none.")),
    Step("app_pages/convolution.py", N_("Convolution"), ":material/blur_on:", N_("Look inside"), 6,
         N_("A kernel is a small pattern detector slid over the image; ReLU keeps where it fires, pooling "
            "shrinks.")),
    Step("app_pages/filters.py", N_("Filters and feature maps"), ":material/grid_view:", N_("Look inside"), 4,
         N_("A trained CNN's kernels were learned, not designed; each map shows where one pattern was found.")),
    Step("app_pages/journey.py", N_("Your digit's journey"), ":material/route:", N_("Look inside"), 3,
         N_("Layer by layer, pixels become maps, maps become units, and units become ten probabilities.")),
    Step("app_pages/mlp_vs_cnn.py", N_("MLP vs CNN"), ":material/compare:", N_("Look inside"), 6,
         N_("Sharing one kernel across the image needs far fewer weights than one weight per pixel per unit.")),
    Step("app_pages/saliency.py", N_("Where it looked"), ":material/visibility:", N_("Look inside"), 4,
         N_("Hiding ink and watching the probability fall shows which strokes each verdict rests on.")),
    Step("app_pages/train.py", N_("Train"), ":material/model_training:", N_("Train and evaluate"), 6,
         N_("Learning is the loss falling batch after batch; settings change how fast and how far.")),
    Step("app_pages/evaluate.py", N_("Evaluate"), ":material/analytics:", N_("Train and evaluate"), 4,
         N_("Accuracy is measured on unseen digits; the confusion matrix shows which mistakes remain.")),
    Step("app_pages/classroom.py", N_("Our class's digits"), ":material/groups:", N_("Train and evaluate"), 3,
         N_("Our own handwriting is not MNIST's: the models read it less well, and we can see where.")),
    Step("app_pages/digit_map.py", N_("The map of digits"), ":material/scatter_plot:", N_("Going further"), 0,
         N_("A network turns each digit into a point; digits it reads alike land together.")),
    Step("app_pages/fool.py", N_("Fool the network"), ":material/bug_report:", N_("Going further"), 0,
         N_("A handful of pixels, chosen by a search, can flip a verdict a person would not doubt.")),
    Step("app_pages/unit.py", N_("What one unit sees"), ":material/center_focus_strong:", N_("Going further"), 0,
         N_("Each unit looks at one patch of the image, and deeper units at larger patches.")),
]


def navigation() -> None:
    """Build Streamlit's navigation from LESSON, grouped by section, and run the chosen page."""
    sections: dict[str, list] = {}
    for i, step in enumerate(LESSON):
        page = st.Page(step.path, title=step.name(), icon=step.icon, default=i == 0)
        sections.setdefault(_(step.section), []).append(page)
    st.navigation(sections, expanded=True).run()  # every page in sight: by default Streamlit hides some


def one_of_ten(probabilities: dict[str, np.ndarray]) -> str:
    """Why every drawing gets a digit, from the models' own outputs: how many answers each has and what its
    probabilities add up to, so that a drawing that is no digit at all can become a lesson."""
    classes = {p.size for p in probabilities.values()}
    total = float(np.mean([p.sum() for p in probabilities.values()]))
    return _("Each network must answer one of its {classes} digits: its {classes} probabilities always add up to "
             "{total}. So a drawing that is no digit at all (try a circle with a cross) still gets a digit, often "
             "with near certainty: a network has no way to say \"none of these\".").format(
        classes=integer(max(classes)), total=percent(total, 0))


def teacher_notes(show: str, notice: str, questions: list[tuple[str, str]]) -> None:
    """The page's "Teacher's notes": what to show, what to notice, questions with their answers."""
    with st.expander(_("Teacher's notes"), icon=":material/school:"):
        st.markdown(_("**Show.** {show}\n\n**Notice.** {notice}").format(show=show, notice=notice))
        for question, answer in questions:
            # TRANSLATORS: keep the two spaces before the line break (Markdown's line break).
            st.markdown(_("**Ask:** {question}  \n**Answer:** {answer}").format(question=question, answer=answer))
