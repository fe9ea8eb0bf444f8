"""Hostile text for the security tests, and a check that rendered HTML runs none of it.

The HTML is parsed with the standard library's html.parser (neither html5lib nor lxml is installed):
a payload that escaped the template's escaping shows up as a real element or attribute, and is no
longer found in the page's text.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

PAYLOADS: list[str] = [
    line for line in (Path(__file__).with_name("xss_payloads.txt").read_text(encoding="utf-8").split("\n")) if line
]

# Attributes whose value is fetched or followed as a URL.
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "background",
    "poster",
    "lowsrc",
    "dynsrc",
    "codebase",
    "cite",
    "ping",
}
DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:image/svg")
# Elements the site never renders around user text: their presence means markup got through.
FOREIGN_ELEMENTS = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "base",
    "bgsound",
    "isindex",
    "keygen",
    "xss",
    "marquee",
    "plaintext",
    "xmp",
    "noembed",
    "math",
    "maction",
    "mglyph",
    "foreignobject",
    "set",
    "animate",
}
JS_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript"}
# Every payload that would run calls one of these, or loads from the attacker's host.
MARKERS = re.compile(r"alert|msgbox|evil\.example|calc|expression\(", re.I)
_CONTROL = re.compile(r"[\x00-\x20]+")


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._in: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, dict((name.lower(), value or "") for name, value in attrs))

    def handle_startendtag(self, tag, attrs):
        self._check(tag, dict((name.lower(), value or "") for name, value in attrs), closed=True)

    def _check(self, tag, attrs, closed=False):
        if tag in FOREIGN_ELEMENTS:
            self.problems.append(f"<{tag}> element {attrs}")
        if tag == "use" and not (attrs.get("href") or attrs.get("xlink:href", "")).startswith("#"):
            # The admin's icons are <use href="#icon-…">; anything else pulls in outside markup.
            self.problems.append(f"<use> element {attrs}")
        if tag == "meta" and attrs.get("http-equiv"):
            self.problems.append(f"<meta http-equiv> {attrs}")
        if tag == "link" and (attrs.get("rel", "").lower() == "import" or MARKERS.search(attrs.get("href", ""))):
            self.problems.append(f"<link> {attrs}")
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "srcdoc":
                self.problems.append(f"<{tag} srcdoc>")
            if name in URL_ATTRIBUTES and _CONTROL.sub("", value).lower().startswith(DANGEROUS_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and re.search(r"javascript:|expression\(|behavior|position:\s*fixed", value, re.I):
                self.problems.append(f"<{tag} style={value!r}>")
        if tag in ("script", "style") and not closed:
            self._in.append((tag, attrs))
        if tag == "script":
            src = attrs.get("src", "")
            # The site's own scripts come from its own paths (/static/…, the admin's /admin/jsi18n/).
            own = src.startswith("/") and not src.startswith("//")
            if attrs.get("type", "").lower() in JS_TYPES and src and not own:
                self.problems.append(f"<script src={src!r}>")

    def handle_endtag(self, tag):
        if self._in and self._in[-1][0] == tag:
            self._in.pop()

    def handle_data(self, data):
        if self._in:
            tag, attrs = self._in[-1]
            executable = tag == "style" or attrs.get("type", "").lower() in JS_TYPES
            if executable and MARKERS.search(data):
                self.problems.append(f"<{tag}> containing {data[:80]!r}")
            return
        self.text.append(data)


def audit(markup: str, expected: list[str] = ()) -> list[str]:
    """Problems in `markup`: executable content from a payload, or an expected text missing from the page's text.

    An escaped payload reads as text; one that got through is parsed into elements and attributes.
    """
    parser = _Audit()
    parser.feed(markup)
    parser.close()
    text = _normal("".join(parser.text))
    missing = [value for value in expected if _normal(value) not in text]
    return parser.problems + [f"not shown as text: {value!r}" for value in missing]


def _normal(text: str) -> str:
    # Templates may re-flow white space (linebreaksbr, indentation); the characters are what counts.
    return re.sub(r"\s+", " ", text).strip()


def assert_safe(markup: str, expected: list[str] = (), where: str = "") -> None:
    problems = audit(markup, expected)
    assert not problems, f"{where}: {len(problems)} problem(s):\n" + "\n".join(problems[:40])


def escaped(value: str) -> str:
    return html.escape(value, quote=True)
