"""A corpus of hostile strings for the XSS and CSV-injection tests (tests/test_xss.py).

Every payload that could run script calls `top.__xss=N;alert(N)` with its own number N (1000 + its index), so a
hit is caught three ways: Playwright's `dialog` event, `window.__xss` (the test traps writes to it, also from
frames, which write to `top`), and the number names the payload that fired. `@@JS@@` in a template is that code;
`@@ENT@@`, `@@UNI@@`, `@@B64HTML@@` and `@@B64SVG@@` are encoded forms of it (see `_expand`).

`url_safe` payloads survive the xblock-sdk workbench as a `?student=` id (its page puts the id into a JS string
after HTML-escaping it and appends it raw to handler URLs, so `< > " ' & # + % \\` cannot be used there).
"""
from __future__ import annotations

import base64
from dataclasses import dataclass

MARK = "__xss"
BASE = 1000


@dataclass(frozen=True)
class Payload:
    n: int  # the number its code reports
    kind: str
    text: str

    @property
    def url_safe(self) -> bool:
        return (len(self.text) <= 200 and self.text == self.text.strip()
                and not any(c in self.text for c in "<>\"'&#+%\\")
                and not any(ord(c) < 32 or ord(c) == 127 for c in self.text))


def js(n: int) -> str:
    return f"top.{MARK}={n};alert({n})"


def _expand(template: str, n: int) -> str:
    code = js(n)
    return (template
            .replace("@@ENT@@", "".join(f"&#{ord(c)};" for c in code))
            .replace("@@UNI@@", "".join(f"\\u{ord(c):04x}" if c.isalpha() else c for c in code))
            .replace("@@B64HTML@@", base64.b64encode(f"<script>{code}</script>".encode()).decode())
            .replace("@@B64SVG@@", base64.b64encode(
                f'<svg id="x" xmlns="http://www.w3.org/2000/svg" onload="{code}"/>'.encode()).decode())
            .replace("@@JS@@", code))


# (kind, template): kept in groups so the totals printed by the test can be read by kind.
_TEMPLATES = [
    # -- script tags
    ("script", "<script>@@JS@@</script>"),
    ("script", "<ScRiPt>@@JS@@</sCrIpT>"),
    ("script", "<SCRIPT SRC=data:text/javascript,@@JS@@></SCRIPT>"),
    ("script", "<scr<script>ipt>@@JS@@</scr</script>ipt>"),
    ("script", "<<script>script>@@JS@@<</script>/script>"),
    ("script", "<script/x>@@JS@@</script>"),
    ("script", "<script\n>@@JS@@</script\n>"),
    ("script", "</textarea><script>@@JS@@</script>"),
    ("script", "</title></style></noscript><script>@@JS@@</script>"),
    ("script", "<!--><script>@@JS@@</script>-->"),
    ("script", "<noscript><p title=\"</noscript><img src=x onerror=@@JS@@>\">"),
    ("script", "<script>/*</script><script>*/@@JS@@</script>"),
    # -- event handlers
    ("event", "<img src=x onerror=@@JS@@>"),
    ("event", "<IMG SRC=x OnErRoR=@@JS@@>"),
    ("event", "<img src=x onerror=\"@@JS@@\">"),
    ("event", "<img/src=x/onerror=@@JS@@>"),
    ("event", "<img src=x onerror=\"@@ENT@@\">"),
    ("event", "<img src=x onerror=@@UNI@@>"),
    ("event", "<svg onload=@@JS@@>"),
    ("event", "<svg/onload=@@JS@@>"),
    ("event", "<body onload=@@JS@@>"),
    ("event", "<details open ontoggle=@@JS@@>x</details>"),
    ("event", "<input autofocus onfocus=@@JS@@>"),
    ("event", "<select autofocus onfocus=@@JS@@></select>"),
    ("event", "<textarea autofocus onfocus=@@JS@@></textarea>"),
    ("event", "<div onmouseover=@@JS@@ style=position:fixed;inset:0>x</div>"),
    ("event", "<video><source onerror=@@JS@@></video>"),
    ("event", "<audio src=x onerror=@@JS@@>"),
    ("event", "<marquee onstart=@@JS@@>x</marquee>"),
    ("event", "<iframe onload=@@JS@@></iframe>"),
    ("event", "<object data=x onerror=@@JS@@></object>"),
    ("event", "<a href=# onclick=@@JS@@ autofocus onfocus=@@JS@@>x</a>"),
    # -- javascript: / data: URLs
    ("url", "<a href=\"javascript:@@JS@@\">x</a>"),
    ("url", "<a href=\"JaVaScRiPt:@@JS@@\">x</a>"),
    ("url", "<a href=\"jav&#x61;script:@@JS@@\">x</a>"),
    ("url", "<a href=\"jav&#x09;ascript:@@JS@@\">x</a>"),
    ("url", "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;@@JS@@\">x</a>"),
    ("url", "<a href=\"javascript&colon;@@JS@@\">x</a>"),
    ("url", "<a href=\" \tjava\nscript:@@JS@@\">x</a>"),
    ("url", "<a href=\"data:text/html;base64,@@B64HTML@@\">x</a>"),
    ("url", "<a href=\"data:text/html,<script>@@JS@@</script>\">x</a>"),
    ("url", "<img src=\"javascript:@@JS@@\">"),
    ("url", "<form action=\"javascript:@@JS@@\"><button formaction=\"javascript:@@JS@@\">x</button></form>"),
    ("url", "<base href=\"javascript:@@JS@@//\">"),
    ("url", "<meta http-equiv=\"refresh\" content=\"0;url=javascript:@@JS@@\">"),
    ("url", "<link rel=stylesheet href=\"javascript:@@JS@@\">"),
    ("markdown", "[x](javascript:@@JS@@)"),
    ("markdown", "![x](javascript:@@JS@@)"),
    ("markdown", "[x](JaVaScRiPt:@@JS@@)"),
    ("markdown", "[x](  javascript:@@JS@@ \"t\")"),
    ("markdown", "[x](data:text/html;base64,@@B64HTML@@)"),
    ("markdown", "![x](x \"x\\\" onerror=@@JS@@ \\\"\")"),
    ("markdown", "[ref][r@@JS@@]\n\n[r@@JS@@]: javascript:@@JS@@"),
    ("markdown", "<http://x\" onmouseover=\"@@JS@@>"),
    ("markdown", "[x](http://x\" onmouseover=\"@@JS@@)"),
    # -- SVG, iframes, math, style
    ("svg", "<svg><script>@@JS@@</script></svg>"),
    ("svg", "<svg><use href=\"data:image/svg+xml;base64,@@B64SVG@@#x\"/></svg>"),
    ("svg", "<svg><a xlink:href=\"javascript:@@JS@@\"><text x=20 y=20>x</text></a></svg>"),
    ("svg", "<svg><animate onbegin=@@JS@@ attributeName=x dur=1s>"),
    ("svg", "<svg><foreignObject><img src=x onerror=@@JS@@></foreignObject></svg>"),
    ("iframe", "<iframe srcdoc=\"&lt;script&gt;@@JS@@&lt;/script&gt;\"></iframe>"),
    ("iframe", "<iframe src=\"javascript:@@JS@@\"></iframe>"),
    ("iframe", "<embed src=\"data:text/html;base64,@@B64HTML@@\">"),
    ("math", "<math><mtext><table><mglyph><style><img src=x onerror=@@JS@@>"),
    ("math", "<math href=\"javascript:@@JS@@\">x</math>"),
    ("style", "<svg><style><img src=x onerror=@@JS@@></style></svg>"),
    ("style", "<style>@import 'javascript:@@JS@@';</style><img src=x onerror=@@JS@@>"),
    ("style", "<xmp><p title=\"</xmp><img src=x onerror=@@JS@@>\">"),
    ("style", "<template><img src=x onerror=@@JS@@></template>"),
    ("style", "<div style=\"background:url(javascript:@@JS@@)\">x</div>"),
    # -- encodings
    ("encoding", "&lt;script&gt;@@JS@@&lt;/script&gt;"),
    ("encoding", "&#60;img src=x onerror=@@JS@@&#62;"),
    ("encoding", "%3Cscript%3E@@JS@@%3C%2Fscript%3E"),
    ("encoding", "%253Cscript%253E@@JS@@%253C%252Fscript%253E"),
    ("encoding", "+ADw-script+AD4-@@JS@@+ADw-/script+AD4-"),
    ("encoding", "\\u003cscript\\u003e@@JS@@\\u003c/script\\u003e"),
    ("encoding", "\uff1cscript\uff1e@@JS@@\uff1c/script\uff1e"),
    ("encoding", "&lt;img src=x onerror=@@JS@@&gt; %3Cimg%20src%3Dx%20onerror%3D@@JS@@%3E"),
    # -- template injection
    ("template", "{{7*7}}"),
    ("template", "${7*7}"),
    ("template", "<%= 7*7 %>"),
    ("template", "{{constructor.constructor('@@JS@@')()}}"),
    ("template", "${@@JS@@}"),
    ("template", "{% debug %}{{ request }}#{7*7}"),
    # -- JSON and script-context breakers
    ("json", "</script><script>@@JS@@</script>"),
    ("json", "\"};@@JS@@;//"),
    ("json", "'};@@JS@@;//"),
    ("json", "\\\";@@JS@@;//"),
    ("json", "<!--<script>@@JS@@//"),
    ("json", "\u2028\u2029@@JS@@//"),
    ("json", "]}}];@@JS@@;//"),
    # -- attribute breakers
    ("attribute", "\" onmouseover=\"@@JS@@"),
    ("attribute", "' autofocus onfocus='@@JS@@"),
    ("attribute", "\" autofocus onfocus=\"@@JS@@\" x=\""),
    ("attribute", "\"><img src=x onerror=@@JS@@>"),
    ("attribute", "'><svg onload=@@JS@@>"),
    ("attribute", "`><img src=x onerror=@@JS@@>"),
    ("attribute", "x onmouseover=@@JS@@//"),
    ("attribute", "javascript:@@JS@@"),
    ("attribute", "'],[name='x'],[x='"),
    # -- names: bidi controls and invisible characters
    ("unicode", "\u202egnp.exe"),
    ("unicode", "ad\u200bmin\u200d"),
    ("unicode", "\u2066<img src=x onerror=@@JS@@>\u2069"),
    ("unicode", "\u202e\u2066\u200b{{7*7}}\u2069\u202c"),
    ("unicode", "\ufeff\u00a0Z\u0351\u0352\u0353algo"),
    # -- spreadsheet formulas (CSV exports)
    ("csv", "=HYPERLINK(\"http://x\",\"x\")"),
    ("csv", "+cmd|' /C calc'!A0"),
    ("csv", "-2+3"),
    ("csv", "@SUM(1+1)"),
    ("csv", "\t=1+1"),
    ("csv", "\r=1+1"),
    ("csv", "=cmd|' /C calc'!A0"),
    ("csv", "-2+3+cmd|' /C calc'!A0"),
]

PAYLOADS: tuple[Payload, ...] = tuple(
    Payload(BASE + i, kind, _expand(template, BASE + i)) for i, (kind, template) in enumerate(_TEMPLATES))
KINDS = tuple(dict.fromkeys(p.kind for p in PAYLOADS))
CSV = tuple(p for p in PAYLOADS if p.kind == "csv")
XSS = tuple(p for p in PAYLOADS if p.kind != "csv")
URL_SAFE = tuple(p for p in PAYLOADS if p.url_safe)

# Raw HTML an author could use to take over the block's own UI (a class or id the block's script looks up).
# Not script execution: see test_prompt_markup_cannot_take_over_the_blocks_own_elements.
CLOBBER = (
    "<div class=\"mlc-summary\">x</div>",
    "<div class=\"mlc-reviews-todo mlc-received\">x</div>",
    "<a class=\"mlc-download\" href=\"https://example.org/\">x</a>",
    "<p class=\"mlc-moderated mlc-repair\">x</p>",
    "<span id=\"mlc-0000000000-text\">x</span>",
)


def find(start: str) -> Payload:
    """The first payload whose text starts with `start` (tests name payloads by their text, not their number)."""
    return next(p for p in PAYLOADS if p.text.startswith(start))


def by_number(n) -> Payload | None:
    return next((p for p in PAYLOADS if str(p.n) == str(n)), None)


def pack(payloads, limit: int, sep: str = "\n") -> list[list[Payload]]:
    """Payloads in groups whose joined text fits `limit` characters (a payload longer than the limit is skipped)."""
    groups, current, size = [], [], 0
    for p in payloads:
        extra = len(p.text) + (len(sep) if current else 0)
        if len(p.text) > limit:
            continue
        if current and size + extra > limit:
            groups.append(current)
            current, size = [], 0
            extra = len(p.text)
        current.append(p)
        size += extra
    if current:
        groups.append(current)
    return groups


def joined(payloads, sep: str = "\n") -> str:
    return sep.join(p.text for p in payloads)
