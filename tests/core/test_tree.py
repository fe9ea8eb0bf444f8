"""Materialised paths of any node, pages included: the ancestors' paths and the subtrees below paths."""

import pytest

from wagtail.models import Page

from core.tree import ancestor_paths, in_subtrees

pytestmark = pytest.mark.django_db


def test_ancestor_paths_of_a_page_are_the_paths_of_its_ancestors_root_first():
    root = Page.get_first_root_node()
    parent = root.add_child(instance=Page(title="上级", slug="parent"))
    child = parent.add_child(instance=Page(title="下级", slug="child"))
    assert ancestor_paths(child) == [root.path, parent.path]
    assert ancestor_paths(child, inclusive=True) == [root.path, parent.path, child.path]
    assert ancestor_paths(root) == []


def test_in_subtrees_matches_the_nodes_at_or_below_the_paths_and_nothing_for_none():
    root = Page.get_first_root_node()
    parent = root.add_child(instance=Page(title="上级", slug="parent"))
    child = parent.add_child(instance=Page(title="下级", slug="child"))
    sibling = root.add_child(instance=Page(title="旁支", slug="sibling"))
    found = set(Page.objects.filter(in_subtrees([parent.path])))
    assert found == {parent, child} and sibling not in found
    assert not Page.objects.filter(in_subtrees([])).exists()
