"""Lesson plan: the 45 minutes the app is built for, page by page, with what the class should take away."""

import pandas as pd
import streamlit as st

from mnist_core.i18n import _, integer, minutes, ngettext, percent
from ui.lesson import LESSON, mnist_numbers, teacher_notes
from ui.present import table

timed = [step for step in LESSON if step.minutes]
extra = LESSON[len(timed):]
total = sum(step.minutes for step in timed)
st.title(ngettext("A {minutes}-minute lesson: how a neural network reads handwriting",
                  "A {minutes}-minute lesson: how a neural network reads handwriting", total).format(
    minutes=integer(total)))
st.caption(_("Follow the pages in the sidebar from top to bottom; each has Teacher's notes with questions "
             "and their answers, worked out from the models as the page runs."))

start, rows = 0, []
when, page, takeaway = _("minutes"), _("page"), _("take-away")
for step in LESSON:
    span = f"{integer(start)}–{integer(start + step.minutes)}" if step.minutes else _("extra time")
    rows.append({when: span, page: step.name(), takeaway: step.lesson()})
    start += step.minutes
table(pd.DataFrame(rows), hide_index=True, width="stretch",
      column_config={takeaway: st.column_config.TextColumn(width="large")})
said = [ngettext("In all **{duration}** over {pages} page.", "In all **{duration}** over {pages} pages.",
                 len(timed)).format(duration=minutes(total), pages=integer(len(timed)))]
if extra:
    # TRANSLATORS: {section} is a heading of the sidebar ("Going further"); {pages} lists its pages' titles.
    said.append(_("The pages under {section} ({pages}) are for extra time, or for students on their own.").format(
        section=_(extra[0].section), pages=", ".join(step.name() for step in extra)))
said.append(_("Students can join on their own laptops or tablets at the same address: each has their own drawing "
              "and their own training runs."))
st.markdown(" ".join(said))

teacher_notes(
    show=_("This plan on the projector for a minute, then open {page}.").format(page=LESSON[1].name()),
    notice=_("Every number in the app is computed while you teach: accuracies from the {test_digits} test digits, "
             "parameter counts from the networks themselves, the answers in these notes from the models.").format(
        **mnist_numbers()),
    questions=[(_("What does it mean for a computer to 'read' a digit?"),
                _("To turn {pixels} pixel brightnesses into ten probabilities, one per digit, and pick the "
                  "largest.").format(**mnist_numbers())),
               (_("What does a network answer to a drawing that is no digit, such as a circle with a cross?"),
                _("One of its digits, often with near certainty: its probabilities always add up to {whole}, so it "
                  "has no way to say 'none of these'. Try it on Draw.").format(whole=percent(1, 0))),
               (_("Why test on digits the network never saw?"),
                _("A network can memorise its training digits; only unseen digits show whether it learned to "
                  "read."))],
)
