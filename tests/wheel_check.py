"""Run inside a fresh virtualenv where only the built wheel (and its dependencies) is installed.

Renders the peer exchange as an LMS-like runtime would — entry point, Django app, migrations, templates,
CSS, JS and translation files all coming from the installed package — then calls one handler. Prints
`WHEEL OK` on success.
"""
import json
import sys
from pathlib import Path

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "mlcourse"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    USE_TZ=True, USE_I18N=True, LANGUAGE_CODE="en",
)
django.setup()

from django.core.management import call_command  # noqa: E402
from webob import Request  # noqa: E402
from xblock.core import XBlock  # noqa: E402
from xblock.reference.user_service import UserService, XBlockUser  # noqa: E402
from xblock.test.toy_runtime import ToyRuntime  # noqa: E402

import mlcourse  # noqa: E402

package = Path(mlcourse.__file__).parent
assert "site-packages" in str(package), package  # not the source checkout
for relative in ("static/js/peer_exchange.js", "static/css/peer_exchange.css", "templates/mlcourse/peer_exchange.html",
                 "translations/en/LC_MESSAGES/text.po", "translations/en/LC_MESSAGES/text.mo",
                 "migrations/0001_initial.py"):
    assert (package / relative).is_file(), relative

call_command("migrate", verbosity=0)


class LmsLikeUserService(UserService):
    def __init__(self, lang="en"):
        user = XBlockUser(is_current_user=True, full_name="Ana")
        user.opt_attrs.update({"edx-platform.anonymous_user_id": "anon-ana", "edx-platform.username": "ana",
                               "edx-platform.user_is_staff": False, "edx-platform.is_authenticated": True,
                               "edx-platform.request_country_code": "BR",
                               "edx-platform.user_preferences": {"pref-lang": lang, "time_zone": "America/Recife"}})
        super().__init__(user=user)

    def get_current_user(self):
        return self._user


class Runtime(ToyRuntime):
    def __init__(self, lang="en"):
        super().__init__(user_id="ana")
        self._services["user"] = LmsLikeUserService(lang)

    def handler_url(self, block, handler_name, suffix="", query="", thirdparty=False):
        return f"/handler/{handler_name}"


assert XBlock.load_class("peer_exchange").__name__ == "PeerExchangeBlock"
runtime = Runtime()
block = runtime.get_block(runtime.parse_xml_string("<peer_exchange min_words='5'/>"))
frag = block.render("student_view", {})
html = frag.body_html()
assert 'data-panel="context"' in html and ">Brazil<" in html, html[:500]
assert '<option value="BR" selected>' in html  # pre-selected from the platform's request_country_code
assert 'value="America/Recife"' in html
resources = "".join(r.data for r in frag.resources)
assert ".mlc-pe" in resources and "function MlcoursePeerExchange" in resources
assert "Rubric questions" in block.render("studio_view", {}).body_html()
assert "participants" in block.render("author_view", {}).body_html()

request = Request.blank("/", method="POST", body=json.dumps({"country": "BR", "organisation_type": "research"}).encode())
response = runtime.handle(block, "save_context", request)
assert response.status_code == 200, response.body
assert json.loads(response.body)["phase"] == "contribute"
# The co-design board in Portuguese: its template, .mo strings and JavaScript catalog from the wheel.
for relative in ("static/js/codesign_board.js", "static/js/i18n.js", "static/js/translations/pt_BR/text.js",
                 "templates/mlcourse/codesign_board_items.html", "migrations/0004_codesign_board.py"):
    assert (package / relative).is_file(), relative
runtime = Runtime("pt-br")
board = runtime.get_block(runtime.parse_xml_string("<codesign_board/>"))
frag = board.render("student_view", {})
resources = "".join(r.data for r in frag.resources)
assert "MlcourseI18N" in resources and "function MlcourseCodesignBoard" in resources, resources[:300]
assert "Faça uma proposta" in frag.body_html(), frag.body_html()[:800]  # "Propose an item", from the wheel's .mo
request = Request.blank("/", method="POST", body=json.dumps({"title": "Orçamento participativo", "kind": "case",
                                                             "country": "BR", "organisation_type": "research"}).encode())
response = runtime.handle(board, "propose", request)
assert response.status_code == 200, response.body
sys.stdout.write("WHEEL OK\n")
