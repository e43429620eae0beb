"""The co-authored Markdown lesson through the workbench runtime: language variants, credits, the case box,
sanitizing (the XSS corpus in every authored Markdown field), the iframe allow-list, OLX round trip, Studio
validation and the mobile data."""
import io
import json
import re

import pytest
from lxml import etree, html as lxml_html
from webob import Request
from workbench.runtime import WorkbenchRuntime

import xss_payloads as X
from mlcourse.blocks.markdown_lesson_ui import (EDITABLE_FIELDS, MAX_BODY, SANDBOX, language_label,
                                                pick_language, render_lesson_markdown)
from test_runtime_and_grades import LmsUsers

pytestmark = pytest.mark.django_db

YT = "https://www.youtube-nocookie.com/embed/abc123"
HOSTS = ["www.youtube-nocookie.com", "player.vimeo.com"]
OUR_TAGS = {"div", "h2", "h3", "p", "ul", "li", "bdi", "span", "label", "select", "option", "aside", "section", "a",
            "dl", "dt", "dd", "details", "summary"}
MARKUP_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i",
               "li", "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
               "ul", "dl", "dt", "dd"}


def lms(lang="pt-br", staff=False):
    return LmsUsers(**{"edx-platform.anonymous_user_id": "anon-1", "edx-platform.username": "ana",
                       "edx-platform.user_is_staff": staff, "edx-platform.is_authenticated": True,
                       "edx-platform.user_preferences": {"pref-lang": lang}})


def runtime_for(user="kwame", users=None):
    runtime = WorkbenchRuntime(user)
    if users is not None:
        runtime._services["user"] = users  # noqa: SLF001 - the LMS-like user service, as in test_runtime_and_grades
    return runtime


def scenario_xml():
    from mlcourse.blocks.markdown_lesson import MarkdownLessonBlock

    return MarkdownLessonBlock.workbench_scenarios()[0][1]


def make(runtime, xml=None, scenario="lesson"):
    runtime.id_generator.set_scenario(scenario)
    return runtime.get_block(runtime.parse_xml_string(xml or scenario_xml()))


def render(block, view="student_view"):
    return block.render(view, {}).body_html()


def shown_sections(page):
    """{lang: hidden?} of the lesson's language sections."""
    tree = lxml_html.fragment_fromstring(page, create_parent="div")
    return {el.get("data-variant"): el.get("hidden") is not None
            for el in tree.iter("div") if el.get("data-variant") is not None}


def call(runtime, block, handler, payload):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    response = runtime.handle(block, handler, Request.blank("/", method="POST", body=body))
    return response.status_code, json.loads(response.body)


# --- rendering and languages -------------------------------------------------------------------------------
def test_scenario_renders_title_credits_case_and_prompt():
    page = render(make(runtime_for()))
    assert "What counts as evidence? Learning across countries" in page
    tree = lxml_html.fragment_fromstring(page, create_parent="div")
    root = tree.find_class("mlc-ml")[0]
    assert (root.get("lang"), root.get("dir")) == ("en", "ltr")
    credits = root.find_class("mlc-ml-credits")[0]
    items = [" ".join(li.text_content().split()) for li in credits.iter("li")]
    assert items == ["Evidence and learning team, A federal school of public administration (Brazil)",
                     "Policy research unit, A provincial civil service academy (Pakistan)",
                     "Public policy faculty, A university institute of public administration (Ghana)"]
    assert credits.find("ul").get("aria-labelledby") == credits.find("p").get("id")
    aside = tree.find(".//aside")
    heading = aside.get_element_by_id(aside.get("aria-labelledby"))
    assert heading.text_content() == "From practice: United Kingdom"
    assert aside.find(".//a").get("href") == "https://www.gov.uk/government/publications/the-magenta-book"
    assert "Source (www.gov.uk)" in aside.text_content()
    assert "For discussion" in page and "citizens' priorities, data collected by communities" in page
    assert "<table tabindex=\"0\">" in page and 'class="footnote"' in page  # tables and footnotes from the shared renderer
    label = tree.find(".//label")
    assert label.text_content() == "Read this lesson in" and tree.get_element_by_id(label.get("for")).tag == "select"
    assert shown_sections(page) == {"en": False, "pt-br": True, "ur": True}
    body = tree.find_class("mlc-ml-body")
    assert [(el.get("lang"), el.get("dir")) for el in body] == [("en", "ltr"), ("pt-br", "ltr"), ("ur", "rtl")]


@pytest.mark.parametrize(("lang", "expected"), [
    ("pt-br", "pt-br"), ("pt_BR", "pt-br"), ("ur", "ur"), ("fr", "en"), ("en-gb", "en"), ("zh-hans", "en"),
])
def test_the_learner_sees_their_language(lang, expected):
    block = make(runtime_for(users=lms(lang)))
    shown = [code for code, hidden in shown_sections(render(block)).items() if not hidden]
    assert shown == [expected]


def test_base_language_variant_and_fallback():
    xml = ('<markdown_lesson body_language="en" body="Main text" '
           'variants="{&quot;pt&quot;: &quot;Texto&quot;, &quot;zh-hans&quot;: &quot;正文&quot;}"/>')
    for lang, expected in (("pt-br", "pt"), ("pt-pt", "pt"), ("zh-hans", "zh-hans"), ("zh", "zh-hans"),
                           ("ar", "en")):
        page = render(make(runtime_for(users=lms(lang)), xml))
        assert [c for c, hidden in shown_sections(page).items() if not hidden] == [expected], lang
    assert pick_language("pt", "en", {"pt-br": "x"}) == "pt-br"  # a base language reads a regional variant
    assert pick_language("pt", "pt-br", {"pt-pt": "x"}) == "pt-br"  # ... unless the main text is in it
    assert pick_language("PT-BR", "en", {"pt-br": "x", "pt": "y"}) == "pt-br"


def test_footnotes_link_within_their_own_language():
    xml = ('<markdown_lesson body="Main[^1]&#10;&#10;[^1]: note" variants="{&quot;pt&quot;: &quot;Texto[^1]\\n\\n'
           '[^1]: nota&quot;}" discussion_prompt="Ask[^a]&#10;&#10;[^a]: why"/>')
    page = render(make(runtime_for(), xml, "footnotes"))
    tree = lxml_html.fragment_fromstring(page, create_parent="div")
    ids = [el.get("id") for el in tree.iter() if (el.get("id") or "").startswith("fn")]
    assert len(ids) == len(set(ids)) == 6, ids
    for section in tree.find_class("mlc-ml-body") + tree.findall(".//section"):
        own = {el.get("id") for el in section.iter() if el.get("id")}
        links = {el.get("href")[1:] for el in section.iter("a") if (el.get("href") or "").startswith("#")}
        assert links and links <= own, (links, own)
    assert "[^1]" not in page and "Main" in page


def test_a_lesson_without_variants_has_no_switch():
    page = render(make(runtime_for(), '<markdown_lesson body="Just **one** language."/>'))
    assert "<select" not in page and "<strong>one</strong>" in page and shown_sections(page) == {"en": False}
    assert "<aside" not in page and "For discussion" not in page and "Co-designed by" not in page


def test_country_names_and_ui_in_the_learners_language():
    page = render(make(runtime_for(users=lms("ur"))))
    tree = lxml_html.fragment_fromstring(page, create_parent="div")
    root = tree.find_class("mlc-ml")[0]
    assert (root.get("lang"), root.get("dir")) == ("ur", "rtl")
    credits = root.find_class("mlc-ml-credits")[0].text_content()
    assert "برازیل" in credits and "پاکستان" in credits  # pycountry's Urdu names
    options = {o.get("value"): o.text_content() for o in tree.iter("option")}
    assert options == {"en": "English", "pt-br": "Português (Brasil)", "ur": "اردو"}
    assert language_label("fr-ca") == "Français (Canada)" and language_label("de") == "Deutsch"


# --- sanitizing -------------------------------------------------------------------------------------------
def scan(page, allowed_iframes=0):
    """Problems in rendered HTML: script, event handlers, non-http(s) URLs, tags neither ours nor the renderer's."""
    problems = []
    assert "<script" not in page.lower()
    tree = lxml_html.fragment_fromstring(page, create_parent="div")
    iframes = 0
    for el in tree.iter():
        if not isinstance(el.tag, str):
            problems.append(f"comment or PI: {el!r}")
            continue
        if el.tag == "iframe":
            iframes += 1
            if el.get("sandbox") != SANDBOX or not el.get("src", "").startswith("https://www.youtube-nocookie.com/"):
                problems.append(f"iframe {dict(el.attrib)}")
        elif el.tag not in OUR_TAGS | MARKUP_TAGS:
            problems.append(f"tag {el.tag}")
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                problems.append(f"{el.tag} {name}={value!r}")
            if name in ("href", "src", "action", "formaction", "srcdoc", "style") and not (
                    name in ("href", "src") and re.match(r"(https?:|mailto:|#|$)", value.strip().lower())):
                problems.append(f"{el.tag} {name}={value!r}")
            if "javascript:" in re.sub(r"\s", "", value).lower():
                problems.append(f"{el.tag} {name}={value!r}")
    assert iframes == allowed_iframes, page
    return problems


def hostile_block(runtime, text, scenario):
    block = make(runtime, '<markdown_lesson/>', scenario)
    block.display_name = text[:200]
    block.body = text
    block.variants = {"pt-br": text, "ur": "x\n\n" + text}
    block.credits = [{"name": text[:120], "institution": text[:200], "country": "BR"}]
    block.practice_case = {"country": "NG", "source_url": "https://example.org/", "text": text}
    block.discussion_prompt = text
    return block


@pytest.mark.parametrize("payload", X.XSS, ids=lambda p: f"{p.n}-{p.kind}")
def test_hostile_markdown_is_sanitized_everywhere(payload):
    runtime = runtime_for(users=lms("ur", staff=True))
    block = hostile_block(runtime, payload.text, f"xss-{payload.n}")
    for view in ("student_view", "author_view"):
        page = render(block, view)
        assert scan(page) == [], (payload.text, view)
        assert page.count("<div") >= 3
    data = block.student_view_data()
    for fragment in [data["body_html"], *data["variants"].values(), data["practice_case"]["html"],
                     data["discussion_prompt_html"]]:
        assert scan(fragment) == [], payload.text
    assert data["credits"][0]["name"] == payload.text[:120]  # plain text fields stay text, for the app to escape


def test_the_whole_corpus_at_once():
    text = X.joined(X.XSS)
    block = hostile_block(runtime_for(), text, "xss-all")
    assert scan(render(block)) == []


# --- iframes ------------------------------------------------------------------------------------------------
def iframes(page):
    tree = lxml_html.fragment_fromstring(page, create_parent="div")
    return [dict(el.attrib) for el in tree.iter("iframe")]


def test_an_allowed_iframe_is_rebuilt_sandboxed():
    source = (f'Watch:\n\n<iframe width="560" height="315" src="{YT}?start=30&amp;rel=0" title="Budget assemblies" '
              'frameborder="0" allow="autoplay" onload="alert(1)" style="position:fixed" '
              'srcdoc="<script>alert(1)</script>" '
              'allowfullscreen><script>alert(2)</script></iframe>\n\nAfter.')
    page = render_lesson_markdown(source, HOSTS)
    assert iframes(page) == [{"src": f"{YT}?start=30&rel=0", "title": "Budget assemblies", "width": "560",
                              "height": "315", "loading": "lazy", "referrerpolicy": "no-referrer",
                              "sandbox": SANDBOX, "allowfullscreen": ""}]
    assert "alert" not in page and "<p>After.</p>" in page and scan(page, allowed_iframes=1) == []
    vimeo = render_lesson_markdown('<iframe src="https://player.vimeo.com/video/1" width="64px"></iframe>', HOSTS)
    assert iframes(vimeo) == [{"src": "https://player.vimeo.com/video/1", "title": "Embedded media",
                               "loading": "lazy", "referrerpolicy": "no-referrer", "sandbox": SANDBOX,
                               "allowfullscreen": ""}]


@pytest.mark.parametrize("tag", [
    '<iframe src="https://evil.example/embed/x"></iframe>',
    '<iframe src="http://www.youtube-nocookie.com/embed/x"></iframe>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe src="//www.youtube-nocookie.com/embed/x"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com.evil.example/x"></iframe>',
    '<iframe src="https://user@www.youtube-nocookie.com/embed/x"></iframe>',
    '<iframe src="https://www.youtube-nocookie.com:8443/embed/x"></iframe>',
    '<iframe src="https://evil.example\\.www.youtube-nocookie.com/x"></iframe>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="https://www.youtube.com/embed/x"></iframe>',
    '<IFRAME SRC=https://evil.example/></IFRAME>',
    '<embed src="https://www.youtube-nocookie.com/embed/x">',
    '<object data="https://www.youtube-nocookie.com/embed/x"></object>',
])
def test_other_iframes_are_dropped(tag):
    page = render_lesson_markdown(f"Before\n\n{tag}\n\nAfter", HOSTS)
    assert iframes(page) == [] and "<embed" not in page and "<object" not in page and scan(page) == []
    assert "Before" in page and "After" in page


def test_iframe_edge_cases():
    assert iframes(render_lesson_markdown(f'<iframe src="{YT}"></iframe>', [])) == []  # no hosts, no iframes
    upper = render_lesson_markdown('<IFRAME SRC="HTTPS://WWW.YOUTUBE-NOCOOKIE.COM/embed/x"></IFRAME>', HOSTS)
    assert iframes(upper)[0]["src"] == "https://www.youtube-nocookie.com/embed/x"
    code = render_lesson_markdown(f'Embed with `<iframe src="{YT}"></iframe>`\n\n    <iframe src="{YT}"></iframe>\n',
                                  HOSTS)
    assert iframes(code) == [] and code.count("&lt;iframe src=") == 2  # shown as code, not embedded
    in_attribute = render_lesson_markdown(
        f'[x](<iframe src="{YT}"></iframe>) <a title="<iframe src={YT}></iframe>">y</a>', HOSTS)
    assert iframes(in_attribute) == [] and "MLCIFRAME" not in in_attribute and scan(in_attribute) == []
    two = render_lesson_markdown(f'<iframe src="{YT}">\n\ntext <iframe src="{YT}"></iframe>', HOSTS)
    assert len(iframes(two)) == 2
    quoted = render_lesson_markdown(f'<iframe title="a > b" src="{YT}"></iframe>', HOSTS)
    assert iframes(quoted)[0]["title"] == "a > b"
    forged = render_lesson_markdown("MLCIFRAME000000000000X0Z", HOSTS)
    assert forged == "<p>MLCIFRAME000000000000X0Z</p>"


def test_imported_olx_is_rendered_as_safely_as_studio_input():
    block = make(runtime_for(), "<markdown_lesson/>", "olx-hostile")
    block.body_language = '"><script>'
    block.variants = {'x"><img src=x onerror=alert(1)>': "bad code", "pt": ["not", "text"], "ur": "متن"}
    block.practice_case = {"country": "<b>", "source_url": "javascript:alert(1)", "text": "A case"}
    block.credits = [{"name": "<img src=x onerror=alert(1)>", "country": "ZZ"}, "not a credit", {"country": "BR"}]
    block.iframe_hosts = ["", None, "WWW.YOUTUBE-NOCOOKIE.COM"]
    page = render(block)
    assert scan(page) == [] and "javascript" not in page and "bad code" not in page
    assert shown_sections(page) == {"en": False, "ur": True}
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "From practice</h3>" in page and "Source" not in page
    block.practice_case = {"text": ["x"], "country": 5}
    block.credits = [{"name": ["x"], "country": 7}, {"name": "Ana", "country": 7}]
    for view in ("student_view", "author_view"):
        assert scan(render(block, view)) == [], view
    studio = render(block, "studio_view")
    assert "<img" not in studio and 'data-k="name" value="Ana"' in studio
    assert block.student_view_data()["credits"] == [{"name": "Ana", "institution": "", "country": "",
                                                      "country_name": ""}]


def test_the_blocks_hosts_decide_which_iframes_stay():
    xml = f'<markdown_lesson body="&lt;iframe src=&quot;{YT}&quot;&gt;&lt;/iframe&gt;"/>'
    block = make(runtime_for(), xml)
    assert len(iframes(render(block))) == 1
    block.iframe_hosts = ["player.vimeo.com"]
    assert iframes(render(block)) == []


# --- OLX ------------------------------------------------------------------------------------------------------
SETTINGS = {
    "display_name": "Evidence & \"voice\": <a> lesson",
    "body_language": "en",
    "body": "# Heading\n\nLine one\r\nLine two\twith a tab & <b>bold</b> — \"quotes\" 'and' emoji 🌍 𠀀\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "variants": {"pt-br": "Evidências & orçamento \"participativo\" 🇧🇷\n\n- um\n- dois",
                 "ur": "شواہد <کیا> ہیں؟\n\n۱۹۸۹", "zh-hans": "证据 𠀀 😀\n\n第二段", "fr": "Données\tcommunautaires",
                 "es": "Evaluación ' \" & < >"},
    "credits": [{"name": "Ana \"Ribeiro\"", "institution": "A federal school & co", "country": "BR"},
                {"name": "محمد علی", "institution": "", "country": "PK"},
                {"name": "Ama 🙂", "institution": "A university institute", "country": ""}],
    "practice_case": {"country": "NG", "source_url": "https://example.org/a?b=1&c=2",
                      "text": "Community **scorecards**\n\n> quoted & <escaped>"},
    "discussion_prompt": "What was *missing*?\n\n1. one\n2. two 🙂",
    "iframe_hosts": ["www.youtube-nocookie.com", "video.example.org"],
}


def export(runtime, block):
    out = io.BytesIO()
    runtime.export_to_xml(block, out)
    return out.getvalue().decode("utf-8")


def test_every_field_round_trips_through_olx():
    assert set(SETTINGS) == set(EDITABLE_FIELDS)
    runtime = runtime_for("staff")
    block = make(runtime, "<markdown_lesson/>", "olx-lesson")
    for name, value in SETTINGS.items():
        setattr(block, name, value)
    block.save()
    olx = export(runtime, block)
    root = etree.fromstring(olx.encode("utf-8"))
    assert root.tag == "markdown_lesson" and set(SETTINGS) <= set(root.attrib)
    again = make(runtime, olx.encode("utf-8"), "olx-lesson-2")
    for name, value in SETTINGS.items():
        assert getattr(again, name) == value, name
    assert export(runtime, again) == olx
    assert again.student_view_data() == block.student_view_data()


def test_defaults_round_trip_and_the_scenario_reimports():
    runtime = runtime_for("staff")
    block = make(runtime)
    again = make(runtime, export(runtime, block).encode("utf-8"), "olx-scenario-2")
    for name in EDITABLE_FIELDS:
        assert getattr(again, name) == getattr(block, name), name
    empty = make(runtime, "<markdown_lesson/>", "olx-empty")
    assert empty.variants == {} and empty.credits == [] and empty.iframe_hosts == HOSTS
    assert make(runtime, export(runtime, empty).encode("utf-8"), "olx-empty-2").iframe_hosts == HOSTS


# --- Studio -----------------------------------------------------------------------------------------------
GOOD = {
    "display_name": "What counts as evidence?", "body_language": "EN", "body": "Main\r\ntext",
    "variants": [{"language": "pt_BR", "text": "Texto"}, {"language": "ur", "text": "متن"}],
    "credits": [{"name": " Ana ", "institution": "A school", "country": "br"}],
    "practice_case": {"country": "ng", "source_url": "https://example.org/x", "text": "Case"},
    "discussion_prompt": "Discuss", "iframe_hosts": ["Player.Vimeo.com", "player.vimeo.com"],
}


def staff_block(scenario="studio"):
    runtime = runtime_for("staff")
    return runtime, make(runtime, scenario=scenario)


def test_studio_submit_saves_clean_values(settings):
    settings.MLCOURSE_WORKBENCH_STAFF_IDS = {"staff"}
    runtime, block = staff_block()
    assert call(runtime, block, "studio_submit", GOOD) == (200, {"result": "success"})
    assert (block.body_language, block.body, block.variants, block.credits, block.practice_case,
            block.iframe_hosts) == (
        "en", "Main\ntext", {"pt-br": "Texto", "ur": "متن"},
        [{"name": "Ana", "institution": "A school", "country": "BR"}],
        {"country": "NG", "source_url": "https://example.org/x", "text": "Case"}, ["player.vimeo.com"])
    payload = {**GOOD, "variants": {"fr": "Texte"}, "practice_case": {"country": "", "source_url": "", "text": ""},
               "discussion_prompt": "", "credits": []}
    assert call(runtime, block, "studio_submit", payload)[0] == 200
    assert (block.variants, block.practice_case, block.discussion_prompt, block.credits) == ({"fr": "Texte"}, {}, "",
                                                                                              [])
    studio = render(block, "studio_view")
    assert 'data-k="language" value="fr"' in studio and "<datalist" in studio


def too_many(n):
    codes = ["pt", "es", "fr", "ur", "zh-hans", "ar", "ha", "yo", "ig", "sw", "hi", "de"]
    return [{"language": code, "text": "x"} for code in codes[:n]]


@pytest.mark.parametrize(("change", "words"), [
    ({"credits": [{"name": "Ana", "country": "XX"}]}, "two-letter country code"),
    ({"credits": [{"name": "Ana", "country": "BRA"}]}, "two-letter country code"),
    ({"credits": [{"name": "", "country": "BR"}]}, "needs a name"),
    ({"credits": [{"name": "A" * 121}]}, "needs a name"),
    ({"credits": [{"name": "Ana", "role": "x"}]}, "is not valid"),
    ({"credits": [{"name": f"P{i}"} for i in range(13)]}, "at most 12"),
    ({"variants": too_many(11)}, "at most 10 other languages"),
    ({"variants": too_many(10)}, None),
    ({"variants": [{"language": "xx", "text": "x"}]}, "not a language code"),
    ({"variants": [{"language": "en", "text": "x"}]}, "appears twice"),
    ({"variants": [{"language": "pt", "text": "x"}, {"language": "PT", "text": "y"}]}, "appears twice"),
    ({"variants": [{"language": "pt", "text": "a\x00b"}]}, "control characters"),
    ({"variants": [{"language": "pt", "text": "x" * (MAX_BODY + 1)}]}, "50,000"),
    ({"variants": "pt"}, "language code and a text"),
    ({"body": "a\x07b"}, "control characters"),
    ({"body": "x" * (MAX_BODY + 1)}, "50,000"),
    ({"body": "   "}, "lesson text"),
    ({"display_name": "A" * 201}, "200 characters"),
    ({"display_name": "Line\nbreak"}, "one line"),
    ({"display_name": "bell\x07"}, "200 characters"),
    ({"body_language": "english"}, "language of the main text"),
    ({"practice_case": {"text": "x", "source_url": "javascript:alert(1)"}}, "http:// or https://"),
    ({"practice_case": {"text": "x", "source_url": "ftp://example.org/"}}, "http:// or https://"),
    ({"practice_case": {"text": "x", "country": "ZZ"}}, "country of the case"),
    ({"practice_case": {"text": "", "country": "NG"}}, "case from practice"),
    ({"practice_case": {"text": "x\ufffe"}}, "case from practice"),
    ({"discussion_prompt": "\x1b[31m"}, "discussion prompt"),
    ({"iframe_hosts": ["https://www.youtube.com/"]}, "not a host name"),
    ({"iframe_hosts": "www.youtube-nocookie.com"}, "at most 20 hosts"),
    ({"unknown": 1}, "Unknown field"),
])
def test_studio_submit_refuses_bad_settings(settings, change, words):
    settings.MLCOURSE_WORKBENCH_STAFF_IDS = {"staff"}
    runtime, block = staff_block()
    before = {name: getattr(block, name) for name in EDITABLE_FIELDS}
    status, data = call(runtime, block, "studio_submit", {**GOOD, **change})
    if words is None:
        assert status == 200, data
        return
    assert (status, data["code"]) == (400, "invalid_settings"), data
    assert words in data["error"], data["error"]
    assert {name: getattr(block, name) for name in EDITABLE_FIELDS} == before


def test_only_the_course_team_edits(settings):
    settings.MLCOURSE_WORKBENCH_STAFF_IDS = {"staff"}
    runtime = runtime_for("kwame")
    block = make(runtime)
    status, data = call(runtime, block, "studio_submit", GOOD)
    assert (status, data["code"]) == (403, "forbidden")
    runtime = runtime_for(users=lms("pt-br", staff=False))
    block = make(runtime, scenario="lms-learner")
    assert call(runtime, block, "studio_submit", GOOD)[0] == 403
    runtime = runtime_for(users=lms("pt-br", staff=True))
    block = make(runtime, scenario="lms-staff")
    assert call(runtime, block, "studio_submit", GOOD)[0] == 200
    assert call(runtime, block, "studio_submit", b"{not json")[1]["code"] == "invalid_json"
    response = runtime.handle(block, "studio_submit", Request.blank("/", method="GET"))
    assert response.status_code == 405


def test_refusals_are_translated(settings):
    runtime = runtime_for(users=lms("pt-br", staff=True))
    block = make(runtime, scenario="lms-staff-pt")
    status, data = call(runtime, block, "studio_submit", {**GOOD, "credits": [{"name": "Ana", "country": "XX"}]})
    assert status == 400 and data["code"] == "invalid_settings" and "1" in data["error"]


# --- author and mobile views ---------------------------------------------------------------------------------
def test_author_view_is_a_compact_summary():
    page = render(make(runtime_for("staff")), "author_view")
    tree = lxml_html.fragment_fromstring(page, create_parent="div")
    summary = {dt.text_content(): dd.text_content() for dt, dd in zip(tree.iter("dt"), tree.iter("dd"))}
    assert summary["Languages"] == "English (main text) · Português (Brasil) · اردو"
    assert summary["From practice"] == "From practice: United Kingdom"
    assert summary["For discussion"] == "Yes"
    assert summary["Embedded media allowed from"] == "www.youtube-nocookie.com, player.vimeo.com"
    assert "<select" not in page and "<details>" in page and "Co-designed by" in page


def test_student_view_data_for_mobile():
    data = make(runtime_for(users=lms("pt-br"))).student_view_data()
    assert set(data) == {"display_name", "language", "body_html", "variants", "language_for_learner", "credits",
                         "practice_case", "discussion_prompt_html"}
    assert data["display_name"] == "What counts as evidence? Learning across countries"
    assert data["language"] == "en" and data["language_for_learner"] == "pt-br"
    assert set(data["variants"]) == {"pt-br", "ur"} and "<h2>شواہد کسے کہتے ہیں؟</h2>" in data["variants"]["ur"]
    assert data["body_html"].startswith("<p>Evidence-informed policymaking")
    assert data["credits"][0] == {"name": "Evidence and learning team",
                                  "institution": "A federal school of public administration", "country": "BR",
                                  "country_name": "Brasil"}
    assert data["practice_case"]["country"] == "GB" and "<strong>Evaluation planned" in data["practice_case"]["html"]
    assert data["discussion_prompt_html"].startswith("<p>Think of a recent decision")
    json.dumps(data)
    empty = make(runtime_for(), '<markdown_lesson/>', "mobile-empty").student_view_data()
    assert (empty["variants"], empty["credits"], empty["practice_case"], empty["discussion_prompt_html"]) == (
        {}, [], None, "")


def test_static_files_stay_small_and_logical():
    from mlcourse.resources import read_static

    assert len(read_static("js/markdown_lesson.js").encode()) <= 3072
    assert len(read_static("css/markdown_lesson.css").encode()) <= 3072
    css = read_static("css/markdown_lesson.css")
    assert not re.search(r"\b(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:", css)


def test_the_footnote_back_link_speaks_the_readers_language():
    from mlcourse.markup import render_markdown

    source = "A claim.[^1]\n\n[^1]: The source."
    assert 'title="Jump back to footnote 1 in the text"' in render_markdown(source)
    assert 'title="Voltar à nota 1"' in render_markdown(source, "Voltar à nota %d")
    assert 'title="Jump back to footnote 1 in the text"' in render_markdown(source, "broken %s translation")


def test_mobile_user_state_names_the_language_shown_first():
    from django.utils import translation
    from webob import Request

    runtime = WorkbenchRuntime("ana")
    runtime.id_generator.set_scenario("mobile")
    block = runtime.get_block(runtime.parse_xml_string(scenario_xml()))
    with translation.override("pt-br"):
        response = runtime.handle(block, "student_view_user_state", Request.blank("/", method="GET"))
    assert response.status_code == 200 and json.loads(response.body) == {"language": "pt-br"}
