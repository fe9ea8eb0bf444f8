"""Chinese word segmentation for the search index and for queries (framework-free).

Wagtail's database search backends store an unbroken run of Chinese characters as one term, so
加强基层党建工作 would only be found by that whole string. Text is therefore segmented with jieba
(search mode: words and the shorter words inside them) and indexed with spaces between words;
queries are segmented the same way.
"""

from __future__ import annotations

import logging
import re
import threading

import jieba

MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 12

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_lock = threading.Lock()
_initialised = False


def _jieba():
    """jieba, initialised once per process (loading its dictionary takes about a second)."""
    global _initialised
    if not _initialised:
        with _lock:
            if not _initialised:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _initialised = True
    return jieba


def words(text: str) -> list[str]:
    """The words of `text` in search mode, lower-cased, without punctuation or spaces."""
    if not text:
        return []
    found = []
    for word in _jieba().cut_for_search(text):
        word = word.strip().lower()
        if word and _WORD.fullmatch(word):
            found.append(word)
    return found


def segment(*texts: str) -> str:
    """Index text: the words of all `texts`, separated by spaces."""
    return " ".join(words(" ".join(text for text in texts if text)))


def clean_query(query: str) -> str:
    """A user's query, trimmed to a bounded length with runs of white space collapsed."""
    return _SPACE.sub(" ", query or "").strip()[:MAX_QUERY_LENGTH]


def query_terms(query: str) -> list[str]:
    """The distinct words to look for, in order, at most MAX_QUERY_TERMS of them."""
    terms: list[str] = []
    for word in words(clean_query(query)):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_QUERY_TERMS]
