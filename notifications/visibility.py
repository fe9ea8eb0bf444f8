"""Which notifications a user may still see: feature apps register what they hide from whom.

A notification about a consultation the user may no longer see (a member who left the branch, a resident
who moved away) is neither shown nor emailed. Only the feature app knows its audience rule, so it
registers a rule here (in its AppConfig.ready) instead of this app importing it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

Rule = Callable[[object], Q]  # user -> the notifications hidden from them, as a filter on Notification

_rules: list[Rule] = []


def register(rule: Rule) -> Rule:
    if rule not in _rules:
        _rules.append(rule)
    return rule


def hidden_from(user) -> Q:
    """The notifications hidden from `user` by every registered rule (an empty filter when none applies)."""
    hidden = Q()
    for rule in _rules:
        hidden |= rule(user)
    return hidden
