"""ISO 3166-1 countries and ISO 639 languages, named in the learner's language.

The codes come from pycountry; the names from the Unicode CLDR (through Babel), which names every country and
language in each of our languages (pycountry's own translations miss Urdu language names entirely and 37 Urdu
country names), with pycountry's names as the fallback."""
from __future__ import annotations

import gettext
import unicodedata
from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError


@lru_cache(maxsize=32)
def _catalog(domain: str, language: str) -> gettext.NullTranslations:
    lang = (language or "en").replace("-", "_")
    candidates = [lang, lang.split("_")[0]]
    if lang.lower() in ("zh_hans", "zh_cn", "zh"):
        candidates = ["zh_CN", "zh"]
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=candidates, fallback=True)


@lru_cache(maxsize=32)
def _cldr(language: str) -> Locale | None:
    lang = (language or "en").replace("-", "_")
    parts = lang.split("_")
    candidates = [lang]
    if len(parts) > 1:
        candidates.insert(0, f"{parts[0].lower()}_{parts[1].title() if len(parts[1]) > 2 else parts[1].upper()}")
    candidates.append(parts[0].lower())
    for candidate in candidates:
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return None


def is_country(code) -> bool:
    return isinstance(code, str) and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def country_name(code: str, language: str = "en") -> str:
    country = pycountry.countries.get(alpha_2=(code or "").upper()) if code else None
    if country is None:
        return ""
    cldr = _cldr(language)
    if cldr is not None and cldr.territories.get(country.alpha_2):
        return cldr.territories[country.alpha_2]
    name = getattr(country, "common_name", None) or country.name
    return _catalog("iso3166-1", language).gettext(name)


def sort_key(name: str) -> tuple[str, str]:
    """Alphabetical order as a reader expects it without a collation library: accents do not send a name to
    the end ("África do Sul" with A, "Égypte" with E, "Åland" with A), then the exact spelling breaks ties."""
    base = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return base.casefold(), name.casefold()


@lru_cache(maxsize=16)
def country_choices(language: str = "en") -> tuple[tuple[str, str], ...]:
    """(alpha_2, localized name) for every country, sorted by name as the learner reads it."""
    names = ((c.alpha_2, country_name(c.alpha_2, language)) for c in pycountry.countries)
    return tuple(sorted(names, key=lambda item: sort_key(item[1])))


@lru_cache(maxsize=1)
def _language_codes() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def is_language(code) -> bool:
    return isinstance(code, str) and code in _language_codes()


def language_name(code: str, language: str = "en") -> str:
    cldr = _cldr(language)
    name = cldr.languages.get(code) if cldr is not None and code else None
    if name:
        return name[:1].upper() + name[1:]  # "gaélico escocês" -> "Gaélico escocês" in a list
    lang = pycountry.languages.get(alpha_2=code)
    return _catalog("iso639-3", language).gettext(lang.name) if lang else code


@lru_cache(maxsize=16)
def language_choices(language: str = "en") -> tuple[tuple[str, str], ...]:
    names = ((code, language_name(code, language)) for code in _language_codes())
    return tuple(sorted(names, key=lambda item: sort_key(item[1])))
