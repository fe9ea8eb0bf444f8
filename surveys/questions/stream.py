"""The questions of a survey: a StreamField block of the registered question types and sections."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError

from surveys.questions.registry import BLOCK_TYPES


class SurveyQuestionsBlock(blocks.StreamBlock):
    """The questions of a survey, split into steps by sections."""

    def __init__(self, local_blocks=None, **kwargs):
        registered = [(name, block_class()) for name, block_class in BLOCK_TYPES.items()]
        super().__init__(registered + list(local_blocks or []), **kwargs)

    def value_from_datadict(self, data, files, prefix):
        """The posted questions; when part of them is missing (a block the browser could not draw),
        the complete blocks are kept and `clean` refuses the whole, so nothing typed is thrown away
        by a server error and nothing half-written is stored."""
        try:
            return super().value_from_datadict(data, files, prefix)
        except (KeyError, ValueError):  # MultiValueDictKeyError is a KeyError
            pass
        children = []
        try:
            count = int(data.get(f"{prefix}-count") or 0)
        except ValueError:
            count = 0
        for index in range(min(count, 1000)):
            child = f"{prefix}-{index}"
            block = self.child_blocks.get(data.get(f"{child}-type") or "")
            if data.get(f"{child}-deleted") or block is None:
                continue
            try:
                value = block.value_from_datadict(data, files, f"{child}-value")
                order = int(data.get(f"{child}-order", index))
            except (KeyError, ValueError):
                continue
            children.append((order, index, block.name, value, data.get(f"{child}-id")))
        children.sort()
        value = blocks.StreamValue(self, [(name, value, id_) for _o, _i, name, value, id_ in children])
        value.incomplete = True
        return value

    def clean(self, value):
        if getattr(value, "incomplete", False):
            raise StreamBlockValidationError(
                non_block_errors=[
                    ValidationError(
                        _("Part of the questions did not arrive, so nothing was saved. Check them and save again.")
                    )
                ]
            )
        return super().clean(value)
