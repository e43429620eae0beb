"""Presentation of the co-authored Markdown lesson: language variants, credits, the "from practice" case,
iframes from an allow-list, translated UI strings, template contexts and Studio input."""
from __future__ import annotations

import json
import re
import secrets
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import quoteattr

import pycountry

from mlcourse.countries import country_choices, country_name, is_country, language_name
from mlcourse.i18n import text_direction
from mlcourse.markup import BACKLINK_TITLE, render_markdown

from .peer_exchange_ui import N_, _authored_text, authored_line, dom_id, translated
from .base import studio_form

EDITABLE_FIELDS = ("display_name", "body_language", "body", "variants", "credits", "practice_case",
                   "discussion_prompt", "iframe_hosts")
DEFAULT_TITLE = "What counts as evidence?"
DEFAULT_BODY = """\
Evidence-informed policymaking is not only about randomised trials. Citizens' priorities, data collected by
communities, administrative statistics and evaluations each answer a different question: *what do people need*,
*what is happening* and *what works*.

Write this lesson together with colleagues from the countries taking part, and add it in their languages.
"""
DEFAULT_IFRAME_HOSTS = ("www.youtube-nocookie.com", "player.vimeo.com")
MAX_TITLE, MAX_BODY, MAX_VARIANTS, MAX_CREDITS, MAX_NAME, MAX_INSTITUTION = 200, 50_000, 10, 12, 120, 200
MAX_CASE, MAX_PROMPT, MAX_HOSTS, MAX_URL = 10_000, 10_000, 20, 2000

STRINGS = {
    "co_designed_by": N_("Co-designed by"),
    "read_in": N_("Read this lesson in"),
    "from_practice": N_("From practice"),
    "from_practice_in": N_("From practice: %(country)s"),
    "source": N_("Source (%(site)s)"),
    "discussion": N_("For discussion"),
    "embedded_media": N_("Embedded media"),
}
AUTHOR_STRINGS = {
    "languages": N_("Languages"), "credits": N_("Co-designed by"), "case": N_("From practice"),
    "discussion": N_("For discussion"), "iframe_hosts": N_("Embedded media allowed from"), "none": N_("None"),
    "lesson_text": N_("Lesson text"), "default_language": N_("%(language)s (main text)"),
    "yes": N_("Yes"), "no": N_("No"),
}
STUDIO_STRINGS = {
    "display_name": N_("Display name"),
    "body_language": N_("Language of the main text (code, e.g. en, pt-br, ur, zh-hans)"),
    "body": N_("Lesson text (Markdown)"),
    "variants": N_("The lesson in other languages"),
    "variants_help": N_("Learners see the text in their own language when there is one, and can switch."),
    "language_code": N_("Language code"), "variant_text": N_("Text in this language (Markdown)"),
    "add_variant": N_("Add a language"),
    "credits": N_("Co-designed by"), "name": N_("Name"), "institution": N_("Institution (optional)"),
    "country_code": N_("Country (two-letter code, optional)"), "add_credit": N_("Add a co-designer"),
    "remove": N_("Remove"),
    "case": N_("From practice (optional)"), "case_text": N_("The case (Markdown)"),
    "case_source_url": N_("Source link (http or https, optional)"),
    "discussion_prompt": N_("Discussion prompt (Markdown, optional)"),
    "iframe_hosts": N_("Hosts allowed for embedded video (one per line)"),
    "iframe_help": N_("Only https iframes from these hosts are kept; they run in a sandbox."),
    "save": N_("Save"), "cancel": N_("Cancel"), "could_not_save": N_("Could not save"),
    "network_error": N_("The connection failed. Please check your network and try again."),
}

# Language names as their readers write them, for the common course languages (pycountry lacks most endonyms).
ENDONYMS = {
    "ar": "العربية", "en": "English", "es": "Español", "fr": "Français", "ha": "Hausa", "hi": "हिन्दी",
    "ig": "Igbo", "pt": "Português", "pt-br": "Português (Brasil)", "pt-pt": "Português (Portugal)",
    "sw": "Kiswahili", "tw": "Twi", "ur": "اردو", "yo": "Yorùbá", "zh": "中文", "zh-hans": "简体中文",
    "zh-hant": "繁體中文", "zh-cn": "简体中文", "zh-tw": "繁體中文",
}
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,8}){0,2}")
_HOSTNAME = re.compile(r"(?=.{1,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?")


# --- languages ------------------------------------------------------------------------------------------
def normalize_language(code) -> str:
    return str(code or "").strip().replace("_", "-").lower()


def is_language_code(code) -> bool:
    """A BCP 47-like tag (`pt-br`, `zh-hans`, `ur`) whose language is an ISO 639 language."""
    if not isinstance(code, str) or not _LANGUAGE_CODE.fullmatch(code):
        return False
    base = code.split("-")[0]
    return pycountry.languages.get(**{"alpha_2" if len(base) == 2 else "alpha_3": base}) is not None


def language_label(code: str) -> str:
    """The language's own name when we know it, else its name from ISO 639 (and the region) in English."""
    code = normalize_language(code)
    if code in ENDONYMS:
        return ENDONYMS[code]
    base, _sep, rest = code.partition("-")
    name = ENDONYMS.get(base) or language_name(base, base).split(";")[0].strip() or code
    region = rest.split("-")[0].upper() if rest else ""
    region_name = country_name(region, base) if len(region) == 2 else ""
    return f"{name} ({region_name})" if region_name else name


def pick_language(learner_language: str, default_language: str, variants) -> str:
    """The learner's variant: exact code, then their base language, else the main text (a learner who gave only
    a base language, `pt`, gets a regional variant, `pt-br`, when the main text is in another language)."""
    lang = normalize_language(learner_language)
    base = lang.split("-")[0]
    default = normalize_language(default_language)
    codes = sorted(code for code in variants if code != default)
    for candidate in (lang, base):
        if candidate == default:
            return default
        if candidate in codes:
            return candidate
    if default.split("-")[0] == base:
        return default
    same_base = [code for code in codes if code.split("-")[0] == base]
    return same_base[0] if same_base else default


# --- Markdown with allow-listed iframes --------------------------------------------------------------------
# An opening <iframe ...> (attribute values may hold ">"), and its content up to </iframe> when it has one.
_IFRAME = re.compile(r"""<iframe\b((?:[^>"']|"[^"]*"|'[^']*')*)>(?:(?:(?!<iframe\b).)*?</iframe\s*>)?""",
                     re.IGNORECASE | re.DOTALL)
# In nh3's output attribute values are always double-quoted with `"` escaped, so this finds whole tags.
_TAG = r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*/?>"""
_DIGITS = re.compile(r"\d{1,4}")
SANDBOX = "allow-scripts allow-same-origin allow-presentation"


class _StartTag(HTMLParser):
    """The attributes of one start tag, decoded as a browser decodes them (the first of duplicates wins)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs = None

    def handle_starttag(self, tag, attrs):
        if self.attrs is None:
            self.attrs = {}
            for name, value in attrs:
                self.attrs.setdefault(name, value)

    handle_startendtag = handle_starttag


def safe_iframe_src(value, hosts) -> str | None:
    """`value` normalised when it is an https URL on one of `hosts` (no credentials, no port), else None."""
    if not isinstance(value, str) or not value or len(value) > MAX_URL or not value.isascii() \
            or any(c.isspace() or c in '\\"<>`' or ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if parts.scheme.lower() != "https" or "@" in parts.netloc or port is not None or host not in hosts:
        return None
    return urlunsplit(("https", host, parts.path or "/", parts.query, parts.fragment))


def _iframe_html(attributes: str, hosts, default_title: str) -> str | None:
    parser = _StartTag()
    parser.feed(f"<iframe{attributes}>")
    parser.close()
    attrs = parser.attrs or {}
    src = safe_iframe_src(attrs.get("src"), hosts)
    if src is None:
        return None
    title = " ".join((attrs.get("title") or "").split())[:MAX_TITLE]
    if not title or not _authored_text(title, MAX_TITLE):
        title = default_title
    size = "".join(f' {name}="{attrs[name]}"' for name in ("width", "height")
                   if _DIGITS.fullmatch(attrs.get(name) or ""))
    return (f'<iframe src="{escape(src)}" title="{escape(title)}"{size} loading="lazy" '
            f'referrerpolicy="no-referrer" sandbox="{SANDBOX}" allowfullscreen></iframe>')


@lru_cache(maxsize=64)
def _render(source: str, hosts: frozenset, default_title: str, backlink_title: str) -> str:
    nonce = secrets.token_hex(6)  # authors cannot guess the placeholder, so they cannot forge one
    found = []

    def stash(match):
        safe = _iframe_html(match.group(1), hosts, default_title) if hosts else None
        if safe is None:
            return match.group(0)  # left for nh3, which drops iframes
        found.append((safe, match.group(0)))
        return f"MLCIFRAME{nonce}X{len(found) - 1}Z"

    html = render_markdown(_IFRAME.sub(stash, source), backlink_title)
    if not found:
        return html
    token = f"MLCIFRAME{nonce}X(\\d+)Z"
    in_code = 0

    def put(match):
        nonlocal in_code
        if match.group(2):  # a tag: a placeholder inside an attribute value is removed, never expanded
            if match.group(2).lower() == "code":
                in_code = max(0, in_code + (-1 if match.group(1) else 1))
            return re.sub(token, "", match.group(0))
        safe, original = found[int(match.group(4))]
        return escape(original, quote=False) if in_code else safe  # in a code span the author shows the HTML

    return re.sub(f"{_TAG}|{token}", put, html)


def render_lesson_markdown(source, hosts=(), default_title: str = "Embedded media",
                           backlink_title: str = BACKLINK_TITLE) -> str:
    """Markdown rendered and sanitized by `mlcourse.markup.render_markdown`, except that
    `<iframe src="https://HOST/...">` with HOST in `hosts` is rebuilt safely: src, title, width and height only,
    lazy, no referrer, sandboxed."""
    allowed = frozenset(str(h).strip().lower() for h in hosts or () if isinstance(h, str) and h.strip())
    return _render(source or "", allowed, default_title, backlink_title)


_FOOTNOTE_ATTR = re.compile(r'(\sid="|\shref="#)fn(ref)?:')


def unique_footnotes(html: str, prefix: str) -> str:
    """Footnote ids made unique per text (`fn:1` -> `fn:<prefix>-1`): every language of every lesson on a page
    has its own footnotes, and a link must reach the one in the same text. Only inside tags, never in text."""
    def fix(tag):
        return _FOOTNOTE_ATTR.sub(lambda m: f"{m.group(1)}fn{m.group(2) or ''}:{prefix}-", tag.group(0))

    return re.sub(_TAG, fix, html) if "fn" in html else html


# --- template contexts ------------------------------------------------------------------------------------
def _markdown(block, source, strings, part: str) -> str:
    html = render_lesson_markdown(source, block.iframe_hosts, strings["embedded_media"],
                                  block.ugettext(N_("Jump back to footnote %d in the text")))
    return unique_footnotes(html, f"{dom_id(block)[4:]}-{part}")


def main_language(block) -> str:
    code = normalize_language(block.body_language)
    return code if is_language_code(code) else "en"


def _variants(block, default: str) -> dict:
    return {normalize_language(code): text for code, text in (block.variants or {}).items()
            if isinstance(text, str) and is_language_code(normalize_language(code))
            and normalize_language(code) != default}  # OLX is imported unchecked: skip what Studio refuses


def chosen_language(block) -> str:
    """The language the lesson shows this learner first."""
    default = main_language(block)
    return pick_language(block.language, default, _variants(block, default))


def sections(block, strings, learner_language: str) -> list[dict]:
    """The main text and every variant, rendered; `shown` on the one for the learner's language."""
    default = main_language(block)
    variants = _variants(block, default)
    chosen = pick_language(learner_language, default, variants)
    items = [(default, block.body)] + sorted(variants.items())
    return [{"code": code, "name": language_label(code), "dir": text_direction(code), "shown": code == chosen,
             "html": _markdown(block, text, strings, code)} for code, text in items]


def _text(mapping: dict, key: str) -> str:
    """A string from authored data (OLX is imported unchecked: anything else counts as missing)."""
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def credits_list(block, language: str) -> list[dict]:
    credits = [c for c in block.credits or [] if isinstance(c, dict) and _text(c, "name")]
    return [{"name": _text(c, "name"), "institution": _text(c, "institution"), "country": _text(c, "country"),
             "country_name": country_name(_text(c, "country"), language)} for c in credits]


def case_context(block, strings, language: str) -> dict | None:
    case = block.practice_case if isinstance(block.practice_case, dict) else {}
    if not _text(case, "text").strip():
        return None
    country = country_name(_text(case, "country"), language)
    url = _text(case, "source_url")
    url = url if _url(url) else ""  # Studio allows http(s) links only; so does the page, whatever was imported
    site = (urlsplit(url).hostname or "") if url else ""
    return {"country": _text(case, "country"), "country_name": country,
            "heading": strings["from_practice_in"] % {"country": country} if country else strings["from_practice"],
            "html": _markdown(block, case["text"], strings, "case"), "source_url": url,
            "source_label": strings["source"] % {"site": site}}


def student_context(block, actor) -> dict:
    lang = actor.language
    strings = translated(block, STRINGS)
    body_lang = main_language(block)
    return {
        "uid": dom_id(block), "title": block.display_name, "t": strings,
        "lang": lang, "dir": text_direction(lang), "body_lang": body_lang, "body_dir": text_direction(body_lang),
        "credits": credits_list(block, lang),
        "sections": sections(block, strings, lang),
        "case": case_context(block, strings, lang),
        "discussion_html": _markdown(block, block.discussion_prompt, strings, "discussion")
        if block.discussion_prompt else "",
    }


def author_context(block) -> dict:
    lang = block.language
    context = student_context(block, block.actor)
    t = translated(block, AUTHOR_STRINGS)
    main = context["sections"][0]
    t["default_language"] %= {"language": main["name"]}
    for section in context["sections"]:
        section["shown"] = section is main
    return {**context, "author": True, "a": t, "lang": lang, "dir": text_direction(lang),
            "hosts": [h for h in block.iframe_hosts or [] if isinstance(h, str)]}


def studio_context(block) -> dict:
    lang = block.language
    t = translated(block, STUDIO_STRINGS)
    case = block.practice_case if isinstance(block.practice_case, dict) else {}
    variants = block.variants if isinstance(block.variants, dict) else {}
    return {"block": block, "t": t, "uid": dom_id(block), "lang": lang, "dir": text_direction(lang),
            "variants": sorted((str(code), text) for code, text in variants.items() if isinstance(text, str)),
            "credits": credits_list(block, lang),
            "case": {key: _text(case, key) for key in ("country", "source_url", "text")},
            "hosts": "\n".join(h for h in block.iframe_hosts or [] if isinstance(h, str)),
            "countries": country_choices(lang),
            "boot": {"could_not_save": t["could_not_save"], "network_error": t["network_error"]}}


def view_data(block) -> dict:
    """For the Open edX mobile apps: everything already rendered and sanitized."""
    lang = block.language
    strings = translated(block, STRINGS)
    rendered = sections(block, strings, lang)
    case = case_context(block, strings, lang)
    return {
        "display_name": block.display_name,
        "language": rendered[0]["code"],
        "body_html": rendered[0]["html"],
        "variants": {s["code"]: s["html"] for s in rendered[1:]},
        "language_for_learner": next(s["code"] for s in rendered if s["shown"]),
        "credits": credits_list(block, lang),
        "practice_case": {key: case[key] for key in ("country", "country_name", "source_url", "html")}
        if case else None,
        "discussion_prompt_html": _markdown(block, block.discussion_prompt, strings, "discussion")
        if block.discussion_prompt else "",
    }


# --- Studio input -----------------------------------------------------------------------------------------
def _markdown_source(value) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _url(value) -> bool:
    if not authored_line(value, MAX_URL) or " " in value or "\\" in value:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "@" not in parts.netloc


def clean_studio_payload(payload) -> dict:  # noqa: C901 - one flat list of checks reads best
    """Validate the Studio form; every problem is a clear message and nothing is saved."""
    fail = studio_form(payload, EDITABLE_FIELDS)
    clean = {}
    name = payload.get("display_name", DEFAULT_TITLE)
    if not authored_line(name, MAX_TITLE):
        fail("Please give a display name of at most 200 characters, on one line.")
    clean["display_name"] = name.strip()
    body_language = normalize_language(payload.get("body_language", "en")) \
        if isinstance(payload.get("body_language", "en"), str) else ""
    if not is_language_code(body_language):
        fail("Please give the language of the main text as a code such as en, pt-br, ur or zh-hans.")
    clean["body_language"] = body_language
    body = payload.get("body", "")
    if not _authored_text(body, MAX_BODY):
        fail("Please write a lesson text of at most 50,000 characters, without control characters.")
    clean["body"] = _markdown_source(body)

    variants = payload.get("variants", {})
    if isinstance(variants, dict):
        variants = [{"language": code, "text": text} for code, text in variants.items()]
    if not isinstance(variants, list) or not all(isinstance(v, dict) for v in variants):
        fail("The other languages must be a list of a language code and a text.")
    if len(variants) > MAX_VARIANTS:
        fail("A lesson can have at most 10 other languages.")
    clean["variants"] = {}
    for variant in variants:
        raw = variant.get("language")
        code = normalize_language(raw) if isinstance(raw, str) else ""
        if not is_language_code(code):
            fail("%(value)s is not a language code such as pt-br, ur or zh-hans.", value=str(raw)[:20])
        if code == body_language or code in clean["variants"]:
            fail("The language %(value)s appears twice.", value=code)
        if not _authored_text(variant.get("text"), MAX_BODY):
            fail("Please write the %(value)s text in at most 50,000 characters, without control characters.",
                 value=code)
        clean["variants"][code] = _markdown_source(variant["text"])

    credits = payload.get("credits", [])
    if not isinstance(credits, list) or len(credits) > MAX_CREDITS:
        fail("Please list at most 12 co-designers.")
    clean["credits"] = []
    for index, credit in enumerate(credits, start=1):
        if not isinstance(credit, dict) or set(credit) - {"name", "institution", "country"}:
            fail("Co-designer %(index)s is not valid.", index=index)
        if not authored_line(credit.get("name"), MAX_NAME):
            fail("Co-designer %(index)s needs a name of at most 120 characters, on one line.", index=index)
        institution = credit.get("institution") or ""
        if institution and not authored_line(institution, MAX_INSTITUTION):
            fail("The institution of co-designer %(index)s must be at most 200 characters, on one line.",
                 index=index)
        country = credit.get("country") or ""
        if country and not is_country(country):
            fail("The country of co-designer %(index)s must be a two-letter country code such as BR, PK or GH.",
                 index=index)
        clean["credits"].append({"name": credit["name"].strip(), "institution": institution.strip(),
                                 "country": country.upper()})

    case = payload.get("practice_case", {}) or {}
    if not isinstance(case, dict) or set(case) - {"country", "source_url", "text"}:
        fail("The case from practice is not valid.")
    case = {key: case.get(key) or "" for key in ("country", "source_url", "text")}
    if not all(isinstance(value, str) for value in case.values()):
        fail("The case from practice is not valid.")
    if any(value.strip() for value in case.values()):
        if not _authored_text(case["text"], MAX_CASE):
            fail("Please write the case from practice in at most 10,000 characters, without control characters.")
        if case["country"] and not is_country(case["country"]):
            fail("The country of the case must be a two-letter country code such as NG.")
        if case["source_url"] and not _url(case["source_url"].strip()):
            fail("The source of the case must be a web address starting with http:// or https://.")
        clean["practice_case"] = {"country": case["country"].upper(), "source_url": case["source_url"].strip(),
                                  "text": _markdown_source(case["text"])}
    else:
        clean["practice_case"] = {}

    prompt = payload.get("discussion_prompt", "") or ""
    if prompt and not _authored_text(prompt, MAX_PROMPT):
        fail("Please write a discussion prompt of at most 10,000 characters, without control characters.")
    clean["discussion_prompt"] = _markdown_source(prompt) if prompt.strip() else ""

    hosts = payload.get("iframe_hosts", list(DEFAULT_IFRAME_HOSTS))
    if not isinstance(hosts, list) or len(hosts) > MAX_HOSTS:
        fail("Please list at most 20 hosts for embedded media.")
    clean["iframe_hosts"] = []
    for host in hosts:
        host = host.strip().lower().rstrip(".") if isinstance(host, str) else ""
        if not _HOSTNAME.fullmatch(host):
            fail("%(value)s is not a host name such as www.youtube-nocookie.com.", value=str(host)[:60])
        if host not in clean["iframe_hosts"]:
            clean["iframe_hosts"].append(host)
    return clean


# --- the workbench ----------------------------------------------------------------------------------------
SCENARIO_TITLE = "What counts as evidence? Learning across countries"
SCENARIO_BODY = """\
Evidence-informed policymaking is often described as "finding out what works". Civil servants who work with
colleagues from other countries soon learn that **what counts as evidence depends on the question being asked**
— and on who is asking. This lesson puts four experiences side by side.

## Brazil: citizens' priorities as evidence

Since 1989, residents of Porto Alegre have debated and voted on priorities for part of the municipal budget in
neighbourhood and thematic assemblies. Participatory budgeting spread to many Brazilian municipalities. What
residents know about their own neighbourhoods — where the sewers overflow, which health post has no doctor —
becomes evidence about **where to invest**, and the assemblies make that evidence public.

## Pakistan and Nigeria: data collected by communities

Since 2008, volunteers for ASER Pakistan have visited households to test whether children can read and do
arithmetic, including children who are out of school and missing from school records. In Nigeria, community
scorecards let residents rate primary health care services and discuss the results with facility staff and
local government. Both answer the question **what is actually happening**, from the point of view of the people
a service is meant for.

## The United Kingdom: evaluation

HM Treasury's *Magenta Book* guides departments on planning evaluation while a policy is designed, and the What
Works Network summarises research on what has worked, for whom, at what cost. This answers **what works**[^1].

## Side by side

| Experience | The question it answers | Whose knowledge counts |
|---|---|---|
| Participatory budgeting (Brazil) | What do people need first? | Residents, in public assemblies |
| Citizen-led assessments (Pakistan) | What is happening to learning? | Volunteers and households |
| Community scorecards (Nigeria) | How good is the service? | Service users and staff |
| Evaluation (United Kingdom) | What works, and at what cost? | Evaluators and analysts |

None of these is "the" evidence. Mutual learning starts by asking a colleague from another country **which
evidence they used, why, and what was missing** — and by being ready to answer the same questions about our own
decisions.

[^1]: An evaluation answers "what works" only for the place and time it studied; whether it travels is a
    question for the people who know the new context.
"""
SCENARIO_VARIANTS = {
    "pt-br": """\
## O que conta como evidência?

Políticas públicas informadas por evidências não dependem apenas de ensaios controlados. Nesta lição, quatro
experiências respondem à mesma pergunta de formas diferentes:

- **Brasil — orçamento participativo.** Desde 1989, em Porto Alegre, moradores debatem e votam prioridades do
  orçamento municipal. O que os cidadãos sabem sobre o próprio bairro torna-se evidência sobre onde investir.
- **Paquistão — dados coletados pela comunidade.** Voluntários visitam domicílios e verificam se as crianças
  sabem ler e fazer contas (ASER Paquistão, desde 2008); os resultados orientam os planos distritais de educação.
- **Nigéria — cartões de avaliação comunitária.** Moradores avaliam os serviços de atenção primária à saúde e
  discutem os resultados com as equipes das unidades.
- **Reino Unido — avaliação.** O *Magenta Book* do Tesouro britânico orienta como planejar a avaliação de uma
  política desde o início.

Cada tipo de evidência responde a uma pergunta diferente: *do que as pessoas precisam*, *o que está
acontecendo* e *o que funciona*. Aprender com outro país começa por perguntar que evidência foi usada — e por quê.
""",
    "ur": """\
## شواہد کسے کہتے ہیں؟

شواہد پر مبنی پالیسی سازی صرف تجرباتی مطالعوں پر منحصر نہیں۔ اس سبق میں چار تجربات ایک ہی سوال کا مختلف
جواب دیتے ہیں:

- **برازیل — شراکتی بجٹ سازی۔** پورٹو الیگرے میں ۱۹۸۹ سے شہری بلدیاتی بجٹ کی ترجیحات پر بحث اور ووٹ کرتے ہیں۔
  اپنے محلے کے بارے میں لوگوں کا علم اس بات کی شہادت بن جاتا ہے کہ وسائل کہاں خرچ کیے جائیں۔
- **پاکستان — کمیونٹی کے جمع کردہ اعداد و شمار۔** رضاکار گھر گھر جا کر دیکھتے ہیں کہ بچے پڑھ اور حساب کر سکتے
  ہیں یا نہیں (اثر پاکستان، ۲۰۰۸ سے)؛ نتائج ضلعی تعلیمی منصوبوں کی رہنمائی کرتے ہیں۔
- **نائیجیریا — کمیونٹی اسکور کارڈ۔** لوگ بنیادی صحت کی سہولیات کو درجہ دیتے ہیں اور نتائج پر عملے کے ساتھ بات
  کرتے ہیں۔
- **برطانیہ — جائزہ۔** برطانوی وزارتِ خزانہ کی *میجنٹا بک* بتاتی ہے کہ پالیسی بناتے وقت ہی اس کے جائزے کی
  منصوبہ بندی کیسے کی جائے۔

ہر قسم کی شہادت ایک الگ سوال کا جواب دیتی ہے: لوگوں کو کیا چاہیے، کیا ہو رہا ہے، اور کیا کارگر ہے۔ کسی دوسرے
ملک سے سیکھنے کا آغاز اس سوال سے ہوتا ہے کہ وہاں کون سے شواہد استعمال ہوئے — اور کیوں۔
""",
}
SCENARIO_CREDITS = [
    {"name": "Evidence and learning team", "institution": "A federal school of public administration",
     "country": "BR"},
    {"name": "Policy research unit", "institution": "A provincial civil service academy", "country": "PK"},
    {"name": "Public policy faculty", "institution": "A university institute of public administration",
     "country": "GH"},
]
SCENARIO_CASE = {
    "country": "GB",
    "source_url": "https://www.gov.uk/government/publications/the-magenta-book",
    "text": """\
**Evaluation planned from the start.** The *Magenta Book* asks departments to plan an evaluation while a policy
is being designed, not after it ends: which questions matter, which data will be collected, and how the findings
will feed back into decisions. Colleagues from other countries often ask how this works when budgets and
timelines are tight — a good question to bring to your peer exchange.
""",
}
SCENARIO_PROMPT = """\
Think of a recent decision in your own ministry, agency or council. Which kinds of evidence from this lesson —
**citizens' priorities, data collected by communities, evaluation** — or others, such as administrative
statistics, informed it, and which were missing? What would a colleague from another country have asked you to
show?
"""


def workbench_scenarios():
    attrs = {"display_name": SCENARIO_TITLE, "body_language": "en", "body": SCENARIO_BODY,
             "variants": json.dumps(SCENARIO_VARIANTS), "credits": json.dumps(SCENARIO_CREDITS),
             "practice_case": json.dumps(SCENARIO_CASE), "discussion_prompt": SCENARIO_PROMPT}
    xml = "<markdown_lesson " + " ".join(f"{name}={quoteattr(value)}" for name, value in attrs.items()) + "/>"
    return [("Co-authored lesson: learning from evidence across countries", xml)]
