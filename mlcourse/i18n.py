"""Our own gettext catalog (`translations/<lang>/LC_MESSAGES/text.mo`) for the learner's language.

The layout is the one Open edX's XBlock i18n service reads for a package's own translations; reading it here
too gives the same strings in every runtime (the workbench's i18n service only knows Django's catalogs).
"""
from __future__ import annotations

import gettext
from functools import lru_cache

from .resources import package_dir

DOMAIN = "text"


def _candidates(language: str) -> list[str]:
    lang = (language or "en").replace("-", "_")
    parts = lang.split("_")
    if len(parts) > 1:
        lang = f"{parts[0].lower()}_{parts[1].title() if len(parts[1]) > 2 else parts[1].upper()}"
    return [lang, parts[0].lower()]


@lru_cache(maxsize=16)
def translator(language: str) -> gettext.NullTranslations:
    """Catalogs are read-only data: one per language per process."""
    return gettext.translation(DOMAIN, str(package_dir("translations")), languages=_candidates(language),
                               fallback=True)


def text_direction(language: str) -> str:
    return "rtl" if (language or "").split("-")[0].split("_")[0].lower() in {"ar", "fa", "he", "ur"} else "ltr"


@lru_cache(maxsize=16)
def js_catalog(language: str) -> str:
    """The JavaScript catalog (`static/js/translations/<lang>/text.js`, built by `make translations`) that
    defines `window.MlcourseI18N` for the learner's language; "" when there is none (English, the source)."""
    for candidate in _candidates(language):
        path = package_dir("static") / "js" / "translations" / candidate / "text.js"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return ""
