"""Chinese word segmentation for the search index and for queries (framework-free).

Wagtail's database search backends store an unbroken run of Chinese characters as one term, so
加强基层党建工作 would only be found by that whole string. Text is therefore indexed as terms separated
by spaces: the words jieba finds (search mode) and the overlapping character pairs (bigrams) of every
run of Chinese characters.

A query is matched on bigrams only: every pair of its characters must be in the page. jieba alone
missed words it cuts differently in context or does not know (托育 in 普惠托育服务, 助餐 in
老年助餐点, 四议两公开); any page that contains the query's characters in a row contains all its
pairs, so no such page is missed. A single Chinese character is looked up as it is (jieba's
one-character words and one-character runs). Other words (Latin letters, digits) are whole terms.
"""

from __future__ import annotations

import logging
import re
import threading

import jieba

MAX_QUERY_LENGTH = 100
MAX_QUERY_TERMS = 12

_WORD = re.compile(r"\w+")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{_HAN}]+")
# A run of Chinese characters, or a run of other word characters (letters, digits).
_TOKEN = re.compile(f"[{_HAN}]+|[^\\W{_HAN}]+")
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


def grams(text: str) -> list[str]:
    """The bigrams of each run of Chinese characters in `text` (a lone character as it is) and its other words."""
    found = []
    for run in runs(text):
        if not _HAN_RUN.fullmatch(run):
            found.append(run.lower())
        elif len(run) == 1:
            found.append(run)
        else:
            found.extend(run[i : i + 2] for i in range(len(run) - 1))
    return found


def segment(*texts: str) -> str:
    """Index text: the words and bigrams of all `texts`, separated by spaces."""
    text = " ".join(text for text in texts if text)
    return " ".join(words(text) + grams(text))


def clean_query(query: str) -> str:
    """A user's query, trimmed to a bounded length with runs of white space collapsed."""
    return _SPACE.sub(" ", query or "").strip()[:MAX_QUERY_LENGTH]


def query_terms(query: str) -> list[str]:
    """The distinct terms that must all be in a page, in order, at most MAX_QUERY_TERMS of them.

    Bigrams, as indexed by `segment`: 加装电梯 → 加装, 装电, 电梯. Dropping terms beyond the limit
    only widens the search.
    """
    return _distinct(grams(clean_query(query)))[:MAX_QUERY_TERMS]


def runs(text: str) -> list[str]:
    """The runs of Chinese characters and the other words of `text`, as written."""
    return [match.group() for match in _TOKEN.finditer(text or "")]


def _distinct(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


# A sentence: text up to and including its closing punctuation (Chinese or Latin), or the rest.
_SENTENCE = re.compile(r"(?:[^。！？!?；;\n.]|\.(?!\s|$))+(?:[。！？!?；;]|\.(?=\s|$))*")


def without_repeats(*texts: str) -> str:
    """The texts joined by spaces, each sentence only once.

    Editors often open the body with the introduction or summary (and the search description copies
    it again): a snippet or listing built from all of them must not repeat its first sentence.
    """
    seen: set[str] = set()
    parts = []
    for text in texts:
        kept = []
        for sentence in _SENTENCE.findall(text or ""):
            key = _SPACE.sub("", sentence).rstrip("。！？!?；;.")
            if not key or key in seen:
                continue
            seen.add(key)
            kept.append(sentence)
        if kept:
            parts.append("".join(kept).strip())
    return " ".join(parts)
