"""`make translations`: extract our strings into translations/en/LC_MESSAGES/text.po, merge them into every
other language's catalog, and compile every catalog to .mo (the layout Open edX's XBlock i18n service reads)."""
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "translations"
SOURCE = CATALOGS / "en" / "LC_MESSAGES" / "text.po"
KEYWORDS = ["-k", "N_", "-k", "NC_:1c,2", "-k", "_", "-k", "fail", "-k", "ApiError:2", "-k", "gettext",
            "-k", "ngettext:1,2"]


def pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


def main():
    SOURCE.parent.mkdir(parents=True, exist_ok=True)
    pybabel("extract", "-F", "babel.cfg", *KEYWORDS, "--no-wrap", "--sort-by-file", "--no-location",
            "--project=mlcourse", "--version=0.1.0", "-o", str(SOURCE.relative_to(ROOT)), "mlcourse")
    for po in sorted(CATALOGS.glob("*/LC_MESSAGES/text.po")):
        if po != SOURCE:
            pybabel("update", "-D", "text", "-i", str(SOURCE.relative_to(ROOT)), "-o", str(po.relative_to(ROOT)),
                    "-l", po.parent.parent.name, "--no-wrap", "--ignore-obsolete", "--no-fuzzy-matching")
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name.replace("zh_Hans", "zh_Hans_CN"))
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        print(f"compiled {po.relative_to(ROOT)}: {len(catalog)} messages")


if __name__ == "__main__":
    main()
