"""Materialised paths read as a tree: Wagtail pages and the organisation tree (both treebeard `MP_Node`s).

A node's path is its parent's path followed by `steplen` characters, so the paths of its ancestors are
the prefixes of its path, and its subtree is every node whose path starts with its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from django.db.models import Q


class Node(Protocol):
    path: str
    steplen: int


def ancestor_paths(node: Node, *, inclusive: bool = False) -> list[str]:
    """The paths of the node's ancestors, root first (and its own path last when `inclusive`)."""
    end = len(node.path) + 1 if inclusive else len(node.path)
    return [node.path[:i] for i in range(node.steplen, end, node.steplen)]


def in_subtrees(paths: Iterable[str], field: str = "path") -> Q:
    """A filter on `field`: nodes at or below any of the paths (nothing at all for no paths)."""
    lookups = Q(pk__in=[])
    for path in paths:
        lookups |= Q(**{f"{field}__startswith": path})
    return lookups
