"""The evidence check XBlock: a short self-assessment of how the learner uses evidence in policy work, taken
once at the start of the course and once at the end (two placements linked by a `key`). Learners see their
own change; the course team sees the cohort's change per statement and per country, and can export it. The
block is thin: storage lives in `mlcourse.services.evidence`, presentation in `evidence_check_ui`."""
from __future__ import annotations

from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Scope, String

from mlcourse import resources

from . import evidence_check_ui as ui
from .base import BlockMixin, StudioSubmitMixin, error_response, json_handler, json_response
from .csv_headers import titled
from .fields import JsonList

_ = lambda text: text  # noqa: E731 - marks field labels for extraction; Studio translates them


@XBlock.supports("multi_device")
@XBlock.needs("user")
@XBlock.wants("i18n")
class EvidenceCheckBlock(CompletableXBlockMixin, StudioSubmitMixin, BlockMixin, XBlock):
    """Self-assessment of evidence use, before and after the course, with the learner's and the cohort's change."""

    display_name = String(display_name=_("Display name"), default=ui.DEFAULT_TITLE, scope=Scope.settings)
    key = String(display_name=_("Key linking the two placements"), default=ui.DEFAULT_KEY, scope=Scope.settings)
    moment = String(display_name=_("Moment"), default="before", values=[
        {"display_name": _("Before the course"), "value": "before"},
        {"display_name": _("After the course"), "value": "after"}], scope=Scope.settings)
    statements = JsonList(display_name=_("Statements"), default=list(ui.DEFAULT_STATEMENTS), scope=Scope.content)

    icon_class = "problem"
    has_author_view = True
    has_custom_completion = True  # complete once the learner has answered at this moment
    editable_fields = ui.EDITABLE_FIELDS
    clean_studio_payload = staticmethod(ui.clean_studio_payload)

    # --- views ---------------------------------------------------------------------------------------
    def student_view(self, context=None):
        context = ui.student_context(self, self.actor)
        if context.get("state", {}).get("submitted"):
            self.emit_completion(1.0)  # also for answers given before completion was published
        frag = Fragment(resources.render_template("mlcourse/evidence_check.html", context))
        frag.add_css(resources.read_static("css/evidence_check.css"))
        frag.add_javascript(resources.read_static("js/post.js"))
        frag.add_javascript(resources.read_static("js/evidence_check.js"))
        frag.initialize_js("MlcourseEvidenceCheck")
        return frag

    def author_view(self, context=None):
        frag = Fragment(resources.render_template("mlcourse/evidence_check.html", ui.author_context(self)))
        frag.add_css(resources.read_static("css/evidence_check.css"))
        return frag

    def studio_view(self, context=None):
        frag = Fragment(resources.render_template("mlcourse/evidence_check_studio.html", ui.studio_context(self)))
        frag.add_css(resources.read_static("css/peer_exchange.css"))  # the shared form styles
        frag.add_css(resources.read_static("css/studio_form.css"))  # the "id | text" rows
        frag.add_css(resources.read_static("css/evidence_check.css"))
        frag.add_javascript(resources.read_static("js/id_list_editor.js"))
        frag.add_javascript(resources.read_static("js/post.js"))
        frag.add_javascript(resources.read_static("js/studio_form.js"))
        frag.add_javascript(resources.read_static("js/evidence_check.js"))
        frag.initialize_js("MlcourseEvidenceCheckStudio")
        return frag

    def student_view_data(self, context=None):
        """For the Open edX mobile apps: the statements and the labelled 1-5 scale."""
        return ui.view_data(self)

    # --- handlers --------------------------------------------------------------------------------------
    @json_handler
    def state(self, payload):
        from mlcourse.services import evidence  # noqa: PLC0415

        return evidence.state(ui.config(self), self.actor)

    @json_handler
    def submit(self, payload):
        from mlcourse.services import evidence  # noqa: PLC0415

        from mlcourse.services import ApiError  # noqa: PLC0415

        try:
            reply = evidence.submit(ui.config(self), self.actor, payload)
        except ApiError as error:
            if error.code == "conflict":  # answered already: complete, whatever happened to the first event
                self.emit_completion(1.0)
            raise
        self.runtime.publish(self, "mlcourse.evidence_check.submitted", {"key": ui.config(self).key,
                                                                         "moment": reply["moment"]})
        self.emit_completion(1.0)
        return reply

    @XBlock.handler
    def export_csv(self, request, suffix=""):
        """GET: the answers of every learner, one row each, streamed (course team only)."""
        from mlcourse.services import ApiError  # noqa: PLC0415
        from mlcourse.services.evidence import export_rows  # noqa: PLC0415
        from mlcourse.services.exports import csv_lines  # noqa: PLC0415

        try:
            filename, rows = export_rows(ui.config(self), self.actor)
        except ApiError as error:
            return error_response(self, error)
        response = Response(content_type="text/csv", charset="utf-8",
                            app_iter=csv_lines(titled(self, rows, request)))
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.headers["Cache-Control"] = "no-store"
        return response

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):
        """GET, for the Open edX mobile apps: the learner's answers at both moments, as `state` gives them."""
        from mlcourse.services import ApiError, evidence  # noqa: PLC0415

        try:
            return json_response(evidence.state(ui.config(self), self.actor))
        except ApiError as error:
            return error_response(self, error)

    @staticmethod
    def workbench_scenarios():
        return ui.workbench_scenarios()
