"""The co-design board XBlock: participants propose policy challenges, cases and topics for the course and vote
for the ones they want covered; the course team merges duplicates, adopts items into the course with a note
everyone sees, hides what does not belong, and exports it all. The block is thin: data and rules live in
`mlcourse.services.board`, presentation in `codesign_board_ui`."""
from __future__ import annotations

from web_fragments.fragment import Fragment
from webob import Response
from xblock.completable import CompletableXBlockMixin
from xblock.core import XBlock
from xblock.fields import Integer, Scope, String

from mlcourse import resources
from mlcourse.i18n import js_catalog

from . import codesign_board_ui as ui
from .base import BlockMixin, StudioSubmitMixin, error_response, json_handler, json_response
from .csv_headers import titled
from .fields import JsonList

_ = lambda text: text  # noqa: E731 - marks field labels for extraction; Studio translates them


@XBlock.supports("multi_device")
@XBlock.needs("user")
@XBlock.wants("i18n")
class CodesignBoardBlock(CompletableXBlockMixin, StudioSubmitMixin, BlockMixin, XBlock):
    """Proposals and votes that let participants shape the course."""

    display_name = String(display_name=_("Display name"), default=ui.DEFAULT_TITLE, scope=Scope.settings)
    intro = String(display_name=_("Introduction (Markdown)"), default=ui.DEFAULT_INTRO, scope=Scope.content,
                   multiline_editor=True)
    kinds = JsonList(display_name=_("Kinds of proposal"), default=list(ui.DEFAULT_KINDS), scope=Scope.content)
    votes_per_learner = Integer(display_name=_("Votes per learner"), default=3, scope=Scope.settings)
    max_proposals = Integer(display_name=_("Proposals per learner"), default=3, scope=Scope.settings)

    icon_class = "problem"
    has_author_view = True
    has_custom_completion = True  # complete once the learner has taken part: proposed or voted
    i18n_js_namespace = "MlcourseI18N"  # our JS reads its strings from this catalog (see `js_catalog`)
    editable_fields = ui.EDITABLE_FIELDS
    clean_studio_payload = staticmethod(ui.clean_studio_payload)

    # --- views ---------------------------------------------------------------------------------------
    def student_view(self, context=None):
        actor = self.actor
        context = ui.student_context(self, actor)
        if context.get("took_part"):
            self.emit_completion(1.0)  # also for learners who took part before completion was published
        frag = Fragment(resources.render_template("mlcourse/codesign_board.html", context))
        frag.add_css(resources.read_static("css/codesign_board.css"))
        self.add_js_catalog(frag)
        frag.add_javascript(resources.read_static("js/i18n.js"))
        frag.add_javascript(resources.read_static("js/post.js"))
        frag.add_javascript(resources.read_static("js/codesign_board.js"))
        frag.initialize_js("MlcourseCodesignBoard")
        return frag

    def add_js_catalog(self, frag):
        """The platform's catalog for our namespace when it has one (Open edX's i18n service, atlas), else the
        catalog shipped in the package; English needs none."""
        service = self.runtime.service(self, "i18n")
        url = getattr(service, "get_javascript_i18n_catalog_url", lambda block: None)(self) if service else None
        if url:
            frag.add_javascript_url(url)
            return
        catalog = js_catalog(self.language)
        if catalog:
            frag.add_javascript(catalog)

    def author_view(self, context=None):
        frag = Fragment(resources.render_template("mlcourse/codesign_board.html", ui.author_context(self)))
        frag.add_css(resources.read_static("css/codesign_board.css"))
        return frag

    def studio_view(self, context=None):
        frag = Fragment(resources.render_template("mlcourse/codesign_board_studio.html", ui.studio_context(self)))
        frag.add_css(resources.read_static("css/peer_exchange.css"))  # the shared form styles
        frag.add_css(resources.read_static("css/studio_form.css"))  # the "id | text" rows
        frag.add_css(resources.read_static("css/codesign_board.css"))
        frag.add_javascript(resources.read_static("js/id_list_editor.js"))
        frag.add_javascript(resources.read_static("js/post.js"))
        frag.add_javascript(resources.read_static("js/studio_form.js"))
        frag.add_javascript(resources.read_static("js/codesign_board.js"))
        frag.initialize_js("MlcourseCodesignBoardStudio")
        return frag

    def student_view_data(self, context=None):
        """For the Open edX mobile apps: the authored settings (items come from the `state` handler)."""
        return ui.view_data(self)

    # --- handlers --------------------------------------------------------------------------------------
    def _board(self):
        from mlcourse.services import board  # noqa: PLC0415 - lazy: Django may not be ready at import

        return board

    @json_handler
    def state(self, payload):
        """A page of proposals as data: {"sort", "kind", "offset"} -> items, votes left, context."""
        return self._board().state(ui.config(self), self.actor, payload)

    @json_handler
    def board_page(self, payload):
        """The same page rendered as HTML (the list the page shows), for sorting, filtering and "show more"."""
        state = self._board().state(ui.config(self), self.actor, payload)
        context = ui.items_context(self, state, self.actor.is_staff)
        return {"html": resources.render_template("mlcourse/codesign_board_items.html", context),
                "total": state["total"], "offset": state["offset"], "shown": state["offset"] + len(state["items"]),
                "showing": context["showing"], "more": context["more"]}

    @json_handler
    def propose(self, payload):
        reply = self._board().propose(ui.config(self), self.actor, payload)
        self.runtime.publish(self, "mlcourse.board.proposed", {"item": reply["item"]})
        self.emit_completion(1.0)
        reply["proposals_left_text"] = ui.proposals_left_text(self, reply["proposals_left"])
        return reply

    @json_handler
    def vote(self, payload):
        reply = self._board().vote(ui.config(self), self.actor, payload)
        self.runtime.publish(self, "mlcourse.board.voted", {"item": reply["item"]})
        self.emit_completion(1.0)
        return self._with_texts(reply)

    @json_handler
    def withdraw_vote(self, payload):
        reply = self._board().withdraw_vote(ui.config(self), self.actor, payload)
        self.runtime.publish(self, "mlcourse.board.vote_withdrawn", {"item": reply["item"]})
        return self._with_texts(reply)

    def _with_texts(self, reply: dict) -> dict:
        cfg = ui.config(self)
        reply["votes_left_text"] = ui.votes_left_text(self, reply["votes_left"], cfg.votes_per_learner)
        reply["votes_text"] = self.ngettext("%(count)s vote", "%(count)s votes", reply["votes"]) % {
            "count": reply["votes"]}
        return reply

    @json_handler
    def staff_adopt(self, payload):
        return self._board().staff_adopt(ui.config(self), self.actor, payload)

    @json_handler
    def staff_hide(self, payload):
        return self._board().staff_hide(ui.config(self), self.actor, payload)

    @json_handler
    def staff_merge(self, payload):
        return self._board().staff_merge(ui.config(self), self.actor, payload)

    @XBlock.handler
    def export_csv(self, request, suffix=""):
        """GET ?table=items|votes: the board's proposals or votes, streamed (course team only)."""
        from mlcourse.services import ApiError  # noqa: PLC0415
        from mlcourse.services.exports import csv_lines  # noqa: PLC0415

        try:
            filename, rows = self._board().export_rows(ui.config(self), self.actor, request.GET.get("table", "items"))
        except ApiError as error:
            return error_response(self, error)
        response = Response(content_type="text/csv", charset="utf-8",
                            app_iter=csv_lines(titled(self, rows, request)))
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.headers["Cache-Control"] = "no-store"
        return response

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):
        """GET, for the Open edX mobile apps: the first page of proposals and the learner's votes."""
        from mlcourse.services import ApiError  # noqa: PLC0415

        try:
            return json_response(self._board().state(ui.config(self), self.actor, {}))
        except ApiError as error:
            return error_response(self, error)

    @staticmethod
    def workbench_scenarios():
        return ui.workbench_scenarios()
