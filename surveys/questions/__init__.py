"""Survey questions as StreamField blocks, one module per family of question types.

Each question block owns its answers from end to end: reading and storing them, drawing the form,
summarising and charting the results, and placing them in exports (see base.py). The stored values
are the choice labels themselves, which is why editing the choices of a survey that already has
responses is refused (see `SurveyPage.clean`). The types on offer are listed in registry.py.
"""

from surveys.questions.layout import condition_of
from surveys.questions.stream import SurveyQuestionsBlock

__all__ = ["SurveyQuestionsBlock", "condition_of"]
