"""Consultation settings, each with the national default; override with `GONGZHI_CONSULTATION = {...}`."""

from django.conf import settings

DEFAULTS = {
    # 四议两公开: at least 2/3 of those due take part, more than half of those due agree.
    "QUORUM": "2/3",
    "MAJORITY": "1/2",
    # A post reaching this many reports is hidden pending review.
    "REPORT_THRESHOLD": 3,
    # Replies nest at most this deep (a top-level post has depth 0).
    "MAX_REPLY_DEPTH": 3,
    # Posting rate limit per user: this many posts per window (seconds).
    "POST_RATE": (5, 60),
    # Messages a WebSocket connection may send per window (seconds) before it is refused.
    "SOCKET_RATE": (20, 10),
    # An open socket checks again, at most this often, that its user may still follow the consultation
    # (signing out, leaving the Party or losing a role also make it check at once).
    "SOCKET_RECHECK_SECONDS": 60,
    "POSTS_PER_PAGE": 20,
    "MAX_POST_LENGTH": 2000,
    # The opinion map is computed only with at least this many participants.
    "OPINION_MAP_MIN_PARTICIPANTS": 8,
    "OPINION_MAP_MAX_GROUPS": 5,
    # The map is recomputed in the background after this many new agree / disagree / pass votes.
    "OPINION_MAP_RECOMPUTE_AFTER": 5,
}


def get(name: str):
    return getattr(settings, "GONGZHI_CONSULTATION", {}).get(name, DEFAULTS[name])
