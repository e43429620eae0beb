"""What every mlcourse block shares: JSON handlers with one error shape, translation, the current actor."""
from __future__ import annotations

import functools
import json
import logging
import re

from webob import Response
from xblock.core import XBlock

from mlcourse import i18n
from mlcourse.runtime import actor_for

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 256 * 1024


def json_response(data, status: int = 200) -> Response:
    return Response(body=json.dumps(data, ensure_ascii=False).encode("utf-8"), status=status,
                    content_type="application/json", charset="utf-8")


def error_response(block, error) -> Response:
    """The documented refusal: translated message, stable code, and `details` when the error carries some."""
    _ = block.ugettext
    message = _(error.message)
    if error.params:
        message = message % {k: _(v) if isinstance(v, str) and k == "field" else v for k, v in error.params.items()}
    body = {"error": message, "code": error.code}
    details = getattr(error, "details", None)
    if details:
        body["details"] = {key: [_translated_item(block, item) for item in value] if key == "errors" else value
                           for key, value in details.items()}
    return json_response(body, error.status)


def _translated_item(block, item: dict) -> dict:
    """A per-line problem ({"line", "error": msgid, "params", "code"}) in the learner's language."""
    item = dict(item)
    params = item.pop("params", None) or {}
    message = block.ugettext(item["error"])
    item["error"] = message % params if params else message
    return item


def json_handler(method):
    """An XBlock handler taking a JSON object body and answering JSON.

    Refusals are `{"error": <translated message>, "code": <stable code>}` with a 4xx status; nothing is
    written when a refusal is answered (the services raise before or roll back their transaction).
    """
    from mlcourse.services.errors import ApiError  # noqa: PLC0415 - keep Django models out of import time

    @XBlock.handler
    @functools.wraps(method)
    def handler(self, request, suffix=""):
        _ = self.ugettext
        if request.method != "POST":
            return json_response({"error": _("Use POST for this request."), "code": "method_not_allowed"}, 405)
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            return json_response({"error": _("The request is too large."), "code": "too_large"}, 413)
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
            # JSON may spell lone surrogates ("\ud800"): not text, so neither storable nor answerable as UTF-8.
            json.dumps(payload, ensure_ascii=False).encode("utf-8")
        except (UnicodeError, ValueError, RecursionError):  # RecursionError: "[[[[..." nested deeper than Python
            return json_response({"error": _("The request is not valid JSON."), "code": "invalid_json"}, 400)
        try:
            return json_response(method(self, payload))
        except ApiError as error:
            return error_response(self, error)

    return handler


class BlockMixin:
    """Translation and identity for a block, the same in the LMS and the workbench."""

    @property
    def actor(self):
        return actor_for(self)

    @property
    def language(self) -> str:
        return self.actor.language

    def ugettext(self, message) -> str:
        """Translate an msgid, or a (context, msgid) pair marked with NC_ for words that are ambiguous alone."""
        if isinstance(message, tuple):
            return i18n.translator(self.language).pgettext(*message)
        return i18n.translator(self.language).gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return i18n.translator(self.language).ngettext(singular, plural, count)


class StudioSubmitMixin:
    """`studio_submit` for a block whose presentation module validates the whole Studio form at once
    (`clean_studio_payload`: raises ApiError on any bad value, so nothing is saved)."""

    clean_studio_payload = None  # set by each block to its module's validator

    @json_handler
    def studio_submit(self, payload):
        from mlcourse.services import ApiError  # noqa: PLC0415 - lazy: Django may not be ready

        from .peer_exchange_ui import can_edit  # noqa: PLC0415

        if not can_edit(self):
            raise ApiError("forbidden", "Only the course team can change the settings.", 403)
        for name, value in type(self).clean_studio_payload(payload).items():
            setattr(self, name, value)
        return {"result": "success"}


def studio_form(payload, editable_fields):
    """The checks every block's Studio form starts with; returns `fail`, which refuses the whole form."""
    from mlcourse.services import ApiError  # noqa: PLC0415

    def fail(message, **params):
        raise ApiError("invalid_settings", message, 400, **params)

    if not isinstance(payload, dict):
        fail("The request must be a JSON object.")
    unknown = set(payload) - set(editable_fields)
    if unknown:
        fail("Unknown field: %(field)s.", field=sorted(unknown)[0][:60])
    return fail


def parse_id_lines(text: str, key: str) -> list:
    """Studio's "id | text" lists, one per line (blank lines skipped) -> [{"id", key}]; a line without "|" is
    kept with an empty id, so the form's check names it."""
    out = []
    for line in text.splitlines():
        if line.strip():
            item_id, sep, rest = line.partition("|")
            out.append({"id": item_id.strip(), key: rest.strip()} if sep else {"id": "", key: line.strip()})
    return out


AUTHORED_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")  # ids in authored lists: statements, kinds of proposal


def authored_id_list(items, key: str) -> tuple:
    """((id, text), ...) of the well-formed entries of an authored [{"id", key}] list, first of each id kept:
    OLX is imported unchecked, so anything else is skipped."""
    out, seen = [], set()
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and AUTHORED_ID.fullmatch(item["id"]) \
                and isinstance(item.get(key), str) and item["id"] not in seen:
            seen.add(item["id"])
            out.append((item["id"], item[key]))
    return tuple(out)
