"""The blocks a survey is made of, in the order of the editor's menu.

Adding a question type: write its module (a `QuestionBlock` subclass, see base.py) and add it here.
The name is stored with the survey's content: never rename one once surveys use it.
"""

from __future__ import annotations

from surveys.questions import choice, date, layout, matrix, number, satisfaction, scale, text

BLOCK_TYPES = {
    "section": layout.SectionBlock,
    "single_choice": choice.SingleChoiceBlock,
    "multiple_choice": choice.MultipleChoiceBlock,
    "rating": scale.RatingBlock,
    "nps": scale.NPSBlock,
    "matrix": matrix.MatrixBlock,
    "satisfaction": satisfaction.SatisfactionBlock,
    "ranking": choice.RankingBlock,
    "short_text": text.ShortTextBlock,
    "long_text": text.LongTextBlock,
    "number": number.NumberBlock,
    "date": date.DateBlock,
}
