"""Daphne, the development server (`make run`), hands every request body to Django untouched.

Daphne's request class inherits Twisted's habit of parsing POSTed form bodies into `request.args`,
which Daphne never reads. Twisted's parser refuses bodies that browsers send and Django reads well,
and answers them itself with a bare 400 that reaches neither Django nor the log: a
multipart/form-data body with no field at all is one. Wagtail's editing-sessions ping, sent from
every page editor, is such a body whenever there is nothing to flag, so every edit page showed a
400 in the console under `make run`. (Similar reports: django/daphne#447, django/channels#1386.)
Production runs uvicorn, which has no such parser.
"""

from functools import wraps


def hand_bodies_to_django() -> None:
    """Make Daphne's requests skip Twisted's own form parsing (idempotent)."""
    from daphne.http_protocol import WebRequest

    if getattr(WebRequest, "_gongzhi_raw_bodies", False):
        return
    original_init = WebRequest.__init__

    @wraps(original_init)
    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False

    WebRequest.__init__ = __init__
    WebRequest._gongzhi_raw_bodies = True
