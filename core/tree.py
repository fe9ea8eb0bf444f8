"""Materialised paths read as a tree: Wagtail pages and the organisation tree (both treebeard `MP_Node`s).

A node's path is its parent's path followed by `steplen` characters, so the paths of its ancestors are
the prefixes of its path, and its subtree is every node whose path starts with its own.
"""

from __future__ import annotations

from typing import Protocol


class Node(Protocol):
    path: str
    steplen: int


def ancestor_paths(node: Node, *, inclusive: bool = False) -> list[str]:
    """The paths of the node's ancestors, root first (and its own path last when `inclusive`)."""
    end = len(node.path) + 1 if inclusive else len(node.path)
    return [node.path[:i] for i in range(node.steplen, end, node.steplen)]
