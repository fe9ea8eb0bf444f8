"""Test helpers for content pages (imported by tests only)."""

from __future__ import annotations

import datetime as dt
import itertools

from home.models import (
    NewsIndexPage,
    NewsPage,
    PolicyIndexPage,
    PolicyPage,
    StudyIndexPage,
    StudyPage,
)

_counter = itertools.count(1)


def _slug(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def paragraph(text: str) -> list:
    return [("paragraph", f"<p>{text}</p>")]


def policy_index(parent, **kwargs) -> PolicyIndexPage:
    return parent.add_child(
        instance=PolicyIndexPage(title=kwargs.pop("title", "政策文件"), slug=_slug("policies"), **kwargs)
    )


def study_index(parent, **kwargs) -> StudyIndexPage:
    return parent.add_child(
        instance=StudyIndexPage(title=kwargs.pop("title", "学习园地"), slug=_slug("study"), **kwargs)
    )


def news_index(parent, **kwargs) -> NewsIndexPage:
    return parent.add_child(instance=NewsIndexPage(title=kwargs.pop("title", "新闻动态"), slug=_slug("news"), **kwargs))


def policy(index, title="关于加强社区治理的通知", body="", **kwargs) -> PolicyPage:
    defaults = {
        "issuer": "幸福街道党工委",
        "issued_on": dt.date(2025, 3, 1),
        "category": "governance",
        "document_number": f"幸福党发〔2025〕{next(_counter)}号",
    }
    defaults.update(kwargs)
    return index.add_child(instance=PolicyPage(title=title, slug=_slug("policy"), body=paragraph(body), **defaults))


def study(index, title="学习材料", body="", branches=(), **kwargs) -> StudyPage:
    defaults = {"topic": "理论学习", "required": True, "estimated_minutes": 20}
    defaults.update(kwargs)
    page = index.add_child(instance=StudyPage(title=title, slug=_slug("study"), body=paragraph(body), **defaults))
    if branches:
        page.branches.set(branches)
        page.save_revision().publish()
    return page


def news(index, title="社区新闻", body="", **kwargs) -> NewsPage:
    defaults = {"date": dt.date(2025, 5, 1)}
    defaults.update(kwargs)
    return index.add_child(instance=NewsPage(title=title, slug=_slug("news"), body=paragraph(body), **defaults))
