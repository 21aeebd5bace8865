"""The 45-minute lesson the app is built around: the pages in teaching order, how long each takes and
what the class should take away. `app.py` builds the navigation from this list, and the Lesson page
shows it, so the pages' order is the lesson's order by construction."""

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Step:
    """One page of the app and its place in the lesson (minutes 0: not part of the timed 45)."""

    path: str
    title: str
    icon: str
    section: str
    minutes: int
    takeaway: str


LESSON = [
    Step("app_pages/lesson.py", "Lesson plan", ":material/school:", "Start", 0,
         "The plan: which page when, and what to take away."),
    Step("app_pages/home.py", "The models", ":material/neurology:", "Start", 3,
         "Four networks learned to read digits from 60,000 examples; we score them on 10,000 they never saw."),
    Step("app_pages/draw.py", "Draw", ":material/draw:", "Start", 7,
         "They read our handwriting too, but only once it is prepared the way their training digits were."),
    Step("app_pages/convolution.py", "Convolution", ":material/blur_on:", "Look inside", 6,
         "A kernel is a small pattern detector slid over the image; ReLU keeps where it fires, pooling shrinks."),
    Step("app_pages/filters.py", "Filters and feature maps", ":material/grid_view:", "Look inside", 5,
         "A trained CNN's kernels were learned, not designed; each map shows where one pattern was found."),
    Step("app_pages/journey.py", "Your digit's journey", ":material/route:", "Look inside", 0,
         "Layer by layer, pixels become maps, maps become units, and units become ten probabilities."),
    Step("app_pages/mlp_vs_cnn.py", "MLP vs CNN", ":material/compare:", "Look inside", 6,
         "Sharing one kernel across the image needs far fewer weights than one weight per pixel per unit."),
    Step("app_pages/saliency.py", "Where it looked", ":material/visibility:", "Look inside", 5,
         "Hiding ink and watching the probability fall shows which strokes each verdict rests on."),
    Step("app_pages/train.py", "Train", ":material/model_training:", "Train and evaluate", 8,
         "Learning is the loss falling batch after batch; settings change how fast and how far."),
    Step("app_pages/evaluate.py", "Evaluate", ":material/analytics:", "Train and evaluate", 5,
         "Accuracy is measured on unseen digits; the confusion matrix shows which mistakes remain."),
    Step("app_pages/digit_map.py", "The map of digits", ":material/scatter_plot:", "Going further", 0,
         "A network turns each digit into a point; digits it reads alike land together."),
    Step("app_pages/fool.py", "Fool the network", ":material/bug_report:", "Going further", 0,
         "A handful of pixels, chosen by a search, can flip a verdict a person would not doubt."),
    Step("app_pages/unit.py", "What one unit sees", ":material/center_focus_strong:", "Going further", 0,
         "Each unit looks at one patch of the image, and deeper units at larger patches."),
    Step("app_pages/classroom.py", "Our class's digits", ":material/groups:", "Going further", 0,
         "Our own handwriting is not MNIST's: the models read it less well, and we can see where."),
]


def navigation() -> None:
    """Build Streamlit's navigation from LESSON, grouped by section, and run the chosen page."""
    sections: dict[str, list] = {}
    for i, step in enumerate(LESSON):
        page = st.Page(step.path, title=step.title, icon=step.icon, default=i == 0)
        sections.setdefault(step.section, []).append(page)
    st.navigation(sections).run()


def teacher_notes(show: str, notice: str, questions: list[tuple[str, str]]) -> None:
    """The page's "Teacher's notes": what to show, what to notice, questions with their answers."""
    with st.expander("Teacher's notes", icon=":material/school:"):
        st.markdown(f"**Show.** {show}\n\n**Notice.** {notice}")
        for question, answer in questions:
            st.markdown(f"**Ask:** {question}  \n**Answer:** {answer}")
