"""The messages of the pages, as babel extracts them (templates and the N_ markers of app/web/*.py).

    python -m app.web.messages            # print every msgid missing from a catalogue (exit 1 if any)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("*.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}


def msgids() -> list[str]:
    found: dict[str, None] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(HERE), METHODS, keywords={"_": None, "gettext": None, "N_": None}, options_map=OPTIONS):
        text = message if isinstance(message, str) else message[0]
        if text:
            found[text] = None
    return list(found)


def missing(lang: str) -> list[str]:
    with (HERE / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    return [m for m in msgids() if not (catalog.get(m) and catalog.get(m).string)]  # type: ignore[union-attr]


if __name__ == "__main__":
    gaps = {lang: missing(lang) for lang in ("es", "pt")}
    for lang, ids in gaps.items():
        for text in ids:
            print(f"{lang}: {text}")
    sys.exit(1 if any(gaps.values()) else 0)
