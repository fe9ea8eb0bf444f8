"""List the msgids the installed Wagtail leaves untranslated in zh_Hans and this catalogue does not supply.

    .venv/bin/python site/locale_wagtail/find_gaps.py [--all]

Wagtail ships every msgid in its `en` catalogues; a msgid missing, empty or fuzzy in the `zh_Hans`
catalogue beside it is a gap. Without --all, gaps already filled by site/locale_wagtail are left out.
"""

import argparse
import re
import sys
from pathlib import Path

import wagtail

HERE = Path(__file__).resolve().parent


def _unquote(text: str) -> str:
    return bytes(text[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def read_po(path: Path) -> dict[tuple[str | None, str], dict]:
    entries, current, key = {}, {}, None

    def flush():
        if current.get("msgid") and not current.get("obsolete"):
            entries[(current.get("msgctxt"), current["msgid"])] = dict(current)

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            flush()
            current, key = {}, None
        elif line.startswith("#~"):
            current["obsolete"] = True
        elif line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = True
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$', line):
            key = match.group(1)
            current[key] = _unquote(match.group(2))
        elif line.startswith('"') and key:
            current[key] += _unquote(line)
    return entries


def translated(entry: dict | None) -> bool:
    return bool(entry) and not entry.get("fuzzy") and bool(entry.get("msgstr") or entry.get("msgstr[0]"))


def gaps(domain: str, include_supplied: bool) -> list[tuple[str, str | None, str]]:
    ours = read_po(HERE / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po")
    found = []
    for english in sorted(Path(wagtail.__file__).parent.glob(f"**/locale/en/LC_MESSAGES/{domain}.po")):
        chinese = english.parents[2] / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        theirs = read_po(chinese) if chinese.exists() else {}
        app = str(english.parents[3].relative_to(Path(wagtail.__file__).parent.parent))
        for key in read_po(english):
            if translated(theirs.get(key)) or (not include_supplied and translated(ours.get(key))):
                continue
            found.append((app, *key))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also list the gaps this catalogue fills")
    args = parser.parse_args()
    for domain in ("django", "djangojs"):
        rows = gaps(domain, args.all)
        print(f"# {domain}: {len(rows)}")
        for app, context, msgid in rows:
            print(f"{app}\t{context or ''}\t{msgid!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
