"""Ancestor paths of any materialised-path node, pages included."""

import pytest

from wagtail.models import Page

from core.tree import ancestor_paths

pytestmark = pytest.mark.django_db


def test_ancestor_paths_of_a_page_are_the_paths_of_its_ancestors_root_first():
    root = Page.get_first_root_node()
    parent = root.add_child(instance=Page(title="上级", slug="parent"))
    child = parent.add_child(instance=Page(title="下级", slug="child"))
    assert ancestor_paths(child) == [root.path, parent.path]
    assert ancestor_paths(child, inclusive=True) == [root.path, parent.path, child.path]
    assert ancestor_paths(root) == []
