"""The question blocks as Wagtail's editor receives them: every child the form layout names exists.

Wagtail 8 computes `meta.form_layout` in `StructBlock.__init__`. A block that removes children after
that sends the browser a layout naming children it never defined, and the editor's JavaScript stops
drawing the whole stream (`Cannot read properties of undefined (reading 'meta')`).
"""

import pytest

from django.utils import translation

from wagtail import blocks
from wagtail.admin.telepath import JSContext
from wagtail.blocks.struct_block import BlockGroup, StructBlockValidationError

from surveys.presets import satisfaction_preset
from surveys.questions import SurveyQuestionsBlock
from surveys.questions.matrix import MatrixBlock
from surveys.questions.satisfaction import SatisfactionBlock
from surveys.questions.scale import NPSBlock, RatingBlock

QUESTION_TYPES = list(SurveyQuestionsBlock().child_blocks)


def _layout_names(group) -> list[str]:
    names = []
    for item in list(group.children) + list(group.settings):
        names.extend(_layout_names(item) if isinstance(item, BlockGroup) else [item])
    return names


def _struct_blocks(block):
    """Every StructBlock inside a block definition, the block itself included."""
    if isinstance(block, blocks.StructBlock):
        yield block
    children = getattr(block, "child_blocks", None)
    if children is not None:
        for child in children.values():
            yield from _struct_blocks(child)
    elif isinstance(block, blocks.ListBlock):
        yield from _struct_blocks(block.child_block)


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_the_form_layout_of_each_block_names_exactly_its_children(name):
    block = SurveyQuestionsBlock().child_blocks[name]
    for struct in _struct_blocks(block):
        assert sorted(_layout_names(struct.meta.form_layout)) == sorted(struct.child_blocks), struct


def _resolve(node, table):
    """Telepath output with `_ref`s replaced by the objects they point to."""
    if isinstance(node, dict):
        if "_ref" in node:
            return table[node["_ref"]]
        return {key: _resolve(value, table) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, table) for item in node]
    return node


def _collect_ids(node, table):
    if isinstance(node, dict):
        if "_id" in node:
            table[node["_id"]] = node
        for value in node.values():
            _collect_ids(value, table)
    elif isinstance(node, list):
        for item in node:
            _collect_ids(item, table)


def _packed_layout_names(layout) -> list[str]:
    names = []
    for entry in layout["_args"][0]["children"] + layout["_args"][0]["settings"]:
        names.extend(_packed_layout_names(entry) if isinstance(entry, dict) else [entry[0]])
    return names


def _packed_structs(node):
    if isinstance(node, dict):
        if node.get("_type") == "wagtail.blocks.StructBlock":
            yield node
        for value in node.values():
            yield from _packed_structs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _packed_structs(item)


def test_the_definition_sent_to_the_editor_lists_every_child_its_layout_names():
    stream = SurveyQuestionsBlock()
    stream.set_name("questions")
    packed = JSContext().pack(stream)
    table = {}
    _collect_ids(packed, table)
    # Resolve twice: a referenced object may itself hold references.
    tree = _resolve(_resolve(packed, table), table)
    structs = list(_packed_structs(tree))
    seen = {struct["_args"][0] for struct in structs}
    assert set(QUESTION_TYPES) <= seen
    for struct in structs:
        name, children, meta = struct["_args"][:3]
        child_names = [child["_args"][0] for child in children]
        assert sorted(_packed_layout_names(meta["formLayout"])) == sorted(child_names), name


def test_nps_has_no_scale_bounds_and_satisfaction_no_rows_or_columns():
    assert "scale_min" not in NPSBlock().child_blocks and "scale_max" not in NPSBlock().child_blocks
    assert {"min_label", "max_label"} <= set(NPSBlock().child_blocks)
    assert {"scale_min", "scale_max"} <= set(RatingBlock().child_blocks)
    assert {"rows", "columns"}.isdisjoint(SatisfactionBlock().child_blocks)
    assert "dimensions" in SatisfactionBlock().child_blocks
    assert {"rows", "columns"} <= set(MatrixBlock().child_blocks)


@pytest.mark.parametrize("name", QUESTION_TYPES)
def test_each_block_gives_a_form_state_for_its_preview_value(name):
    block = SurveyQuestionsBlock().child_blocks[name]
    value = block.to_python(block.meta.preview_value)
    state = block.get_form_state(value)
    assert set(state) == set(block.child_blocks)


def test_the_preset_gives_a_form_state_the_editor_can_draw():
    stream = SurveyQuestionsBlock()
    value = stream.to_python([{"type": kind, "value": data} for kind, data in satisfaction_preset()])
    state = stream.get_form_state(value)
    assert [item["type"] for item in state] == ["satisfaction", "long_text"]
    assert set(state[0]["value"]) == set(stream.child_blocks["satisfaction"].child_blocks)
    assert len(state[0]["value"]["dimensions"]) == 7


def _clean_errors(name, value):
    """The per-field messages (in Chinese) of an editor's block value, {} when it is valid."""
    block = SurveyQuestionsBlock().child_blocks[name]
    base = {"label": "问题", "help_text": "", "required": True, "key": "", "show_if": {"question": "", "values": ""}}
    with translation.override("zh-hans"):
        try:
            block.clean(block.to_python({**base, **value}))
        except StructBlockValidationError as error:
            return {field: " ".join(problem.messages) for field, problem in error.block_errors.items()}
    return {}


@pytest.mark.parametrize(
    ("name", "value", "field", "message"),
    [
        ("single_choice", {"choices": ["是", "是"]}, "choices", "各项不能重复：“是”出现了不止一次。"),
        ("ranking", {"choices": ["停车", "绿化", "停车"]}, "choices", "“停车”出现了不止一次"),
        ("multiple_choice", {"choices": ["甲", "乙"], "min_picks": 2, "max_picks": 1}, "min_picks", "不能大于最多"),
        ("multiple_choice", {"choices": ["甲", "乙"], "min_picks": 3}, "min_picks", "不能大于选项个数"),
        ("rating", {"scale_min": 5, "scale_max": 5}, "scale_max", "最高分必须大于最低分。"),
        ("matrix", {"rows": ["便民", "便民"], "columns": ["好", "差"]}, "rows", "“便民”出现了不止一次"),
        ("matrix", {"rows": ["便民"], "columns": ["好", "好"]}, "columns", "“好”出现了不止一次"),
        ("satisfaction", {"dimensions": [{"label": "服务态度"}, {"label": "服务态度"}]}, "dimensions", "服务态度"),
        ("number", {"min_value": 10, "max_value": 1}, "max_value", "最大值不能小于最小值。"),
    ],
)
def test_an_impossible_question_is_refused_next_to_its_field_in_chinese(name, value, field, message):
    errors = _clean_errors(name, value)
    assert list(errors) == [field] and message in errors[field]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("single_choice", {"choices": ["是", "否"]}),
        ("multiple_choice", {"choices": ["甲", "乙"], "min_picks": 1, "max_picks": 2}),
        ("rating", {"scale_min": 1, "scale_max": 5}),
        ("nps", {}),
        ("satisfaction", {"dimensions": [{"label": "服务态度"}, {"label": "办事效率"}]}),
        ("number", {"min_value": 1, "max_value": 1}),
    ],
)
def test_a_sound_question_passes(name, value):
    assert _clean_errors(name, value) == {}
