"""Authored Markdown to safe HTML: rendered with `markdown`, then sanitized with nh3 (no script, no
event handlers, no javascript: links), because Studio authors are trusted less than the page.

Authors get no `class` or `id` of their own: they could take over the block's own elements (its panels are
found by class). Only the footnotes' classes and ids survive."""
from __future__ import annotations

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li",
    "ol", "p", "pre", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul", "dl",
    "dt", "dd",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"},
                      "sup": {"id"}, "li": {"id"}}
FOOTNOTE_CLASSES = {"a": {"footnote-ref", "footnote-backref"}, "div": {"footnote"}}
_FOOTNOTE_ID = re.compile(r"fn(ref)?:[\w-]{1,40}")


def _keep(tag, attribute, value):
    if attribute == "id":
        return value if _FOOTNOTE_ID.fullmatch(value) else None
    return value


BACKLINK_TITLE = "Jump back to footnote %d in the text"  # the markdown package's own English default


def render_markdown(source: str, backlink_title: str = BACKLINK_TITLE) -> str:
    """`backlink_title`: the footnote back-link's tooltip in the reader's language ("%d" is the number)."""
    if backlink_title.count("%d") != 1 or "%" in backlink_title.replace("%d", ""):
        backlink_title = BACKLINK_TITLE  # a broken translation must not break the page
    html = markdown.markdown(source or "", extensions=["tables", "footnotes", "sane_lists"], output_format="html",
                             extension_configs={"footnotes": {"BACKLINK_TITLE": backlink_title}})
    # A wide table scrolls sideways on a phone; keyboard users can scroll it only if it takes the focus: the
    # sanitizer itself sets tabindex (never a string replacement on its output).
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, attribute_filter=_keep,
                     allowed_classes=FOOTNOTE_CLASSES, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer nofollow", set_tag_attribute_values={"table": {"tabindex": "0"}})
