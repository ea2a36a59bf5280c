"""Write app/web/locales/{es,pt}/LC_MESSAGES/messages.po from the pages' messages (app.web.messages.msgids) and a
translation table (a Python file defining T = {msgid: (es, pt)}); existing translations are kept.

    .venv/bin/python scripts/web-catalogues.py TABLE.py
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from app.web.messages import HERE, msgids

LANGS = ("es", "pt")


def main() -> None:
    table = runpy.run_path(sys.argv[1])["T"] if len(sys.argv) > 1 else {}
    for index, lang in enumerate(LANGS):
        path = HERE / "locales" / lang / "LC_MESSAGES" / "messages.po"
        old: dict[str, str] = {}
        if path.exists():
            with path.open("rb") as po:
                old = {str(m.id): str(m.string) for m in read_po(po, locale=lang) if m.id and m.string}
        catalog = Catalog(locale=lang, project="Gatekeeper", domain="messages")
        for text in msgids():
            pair = table.get(text)
            catalog.add(text, string=old.get(text) or (pair[index] if pair else ""))
        path.parent.mkdir(parents=True, exist_ok=True)
        with Path(path).open("wb") as out:
            write_po(out, catalog, width=120, omit_header=False, sort_output=False)


if __name__ == "__main__":
    main()
