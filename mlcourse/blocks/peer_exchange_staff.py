"""Staff handlers of the peer exchange (documented in docs/handlers.md): the dashboard's API.

Every handler refuses non-staff with 403 JSON before reading or writing anything (the services check it).
"""
from __future__ import annotations

from django.conf import settings
from webob import Response
from xblock.core import XBlock

from mlcourse.runtime import anonymous_id_resolver

from .base import error_response, json_handler
from .csv_headers import titled


class StaffHandlersMixin:
    """Mixed into PeerExchangeBlock; `self.config()` and `self.actor` come from the block."""

    @json_handler
    def staff_overview(self, payload):
        from mlcourse.services.staff_overview import staff_overview  # noqa: PLC0415

        return staff_overview(self.config(), self.actor, payload)

    @json_handler
    def staff_pair(self, payload):
        from mlcourse.services.staff_actions import staff_pair  # noqa: PLC0415

        return staff_pair(self.config(), self.actor, payload)

    @json_handler
    def staff_dissolve(self, payload):
        from mlcourse.services.staff_actions import staff_dissolve  # noqa: PLC0415

        return staff_dissolve(self.config(), self.actor, payload)

    @json_handler
    def staff_batch_pair(self, payload):
        from mlcourse.services.staff_actions import staff_batch_pair  # noqa: PLC0415

        return staff_batch_pair(self.config(), self.actor, payload)

    @json_handler
    def staff_hide(self, payload):
        from mlcourse.services.staff_actions import staff_hide  # noqa: PLC0415

        return staff_hide(self.config(), self.actor, payload)

    @json_handler
    def staff_unhide(self, payload):
        from mlcourse.services.staff_actions import staff_unhide  # noqa: PLC0415

        return staff_unhide(self.config(), self.actor, payload)

    @json_handler
    def staff_extend_deadline(self, payload):
        from mlcourse.services.staff_actions import staff_extend_deadline  # noqa: PLC0415

        return staff_extend_deadline(self.config(), self.actor, payload)

    @json_handler
    def staff_import_roster(self, payload):
        from mlcourse.services.audit import require_staff  # noqa: PLC0415
        from mlcourse.services.roster import import_roster  # noqa: PLC0415
        from mlcourse.services.validation import only_keys, require_dict  # noqa: PLC0415

        require_staff(self.actor)
        only_keys(require_dict(payload), {"csv"})
        return import_roster(self.config(), self.actor, payload.get("csv"), anonymous_id_resolver(self))

    @XBlock.handler
    def export_csv(self, request, suffix=""):
        """GET `?table=<name>[&usernames=1]`: a CSV streamed row by row."""
        from mlcourse.services import ApiError  # noqa: PLC0415
        from mlcourse.services.exports import csv_lines, export_rows  # noqa: PLC0415

        allow_usernames = getattr(settings, "MLCOURSE_EXPORT_USERNAMES", True)
        usernames = request.GET.get("usernames") == "1" and allow_usernames
        try:
            filename, rows = export_rows(self.config(), self.actor, request.GET.get("table", ""), usernames)
        except ApiError as error:
            return error_response(self, error)
        response = Response(content_type="text/csv", charset="utf-8",
                            app_iter=csv_lines(titled(self, rows, request)))
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.headers["Cache-Control"] = "no-store"
        return response
