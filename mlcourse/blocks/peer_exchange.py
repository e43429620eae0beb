"""The peer exchange XBlock: pair each learner with someone from another country; both give, receive and
rate feedback and reflect on what they learned. The block is thin: data and rules live in `mlcourse.services`."""
from __future__ import annotations

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Boolean, DateTime, Float, Integer, Scope, String

from mlcourse import resources
from mlcourse.runtime import course_key_for, usage_key_for

from . import peer_exchange_ui as ui
from . import staff_ui
from .base import BlockMixin, StudioSubmitMixin, error_response, json_handler, json_response
from .fields import JsonList
from .peer_exchange_staff import StaffHandlersMixin

_ = lambda text: text  # noqa: E731 - marks field labels for extraction; Studio translates them


@XBlock.supports("multi_device")
@XBlock.needs("user")
@XBlock.wants("i18n")
class PeerExchangeBlock(StaffHandlersMixin, StudioSubmitMixin, BlockMixin, XBlock):
    """A reciprocal, recorded, rated exchange of feedback between learners from different countries."""

    display_name = String(display_name=_("Display name"), default=ui.DEFAULT_TITLE, scope=Scope.settings)
    prompt = String(display_name=_("Prompt (Markdown)"), default=ui.DEFAULT_PROMPT, scope=Scope.content,
                    multiline_editor=True)
    rubric = JsonList(display_name=_("Rubric questions"), default=ui.DEFAULT_RUBRIC, scope=Scope.content)
    partner_rule = String(display_name=_("Partner rule"), default="different_country_required",
                          values=ui.PARTNER_RULES, scope=Scope.settings)
    allow_triads = Boolean(display_name=_("Allow triads"), default=False, scope=Scope.settings)
    fallback_window_hours = Float(display_name=_("Fallback window (hours)"), default=48.0, scope=Scope.settings)
    review_window_hours = Float(display_name=_("Review window (hours)"), default=72.0, scope=Scope.settings)
    min_words = Integer(display_name=_("Minimum words"), default=50, scope=Scope.settings)
    max_words = Integer(display_name=_("Maximum words"), default=800, scope=Scope.settings)
    submission_due = DateTime(display_name=_("Submission due"), default=None, scope=Scope.settings)
    review_due = DateTime(display_name=_("Review due"), default=None, scope=Scope.settings)
    anonymous = Boolean(display_name=_("Hide learner names from partners"), default=False, scope=Scope.settings)
    weight_contribution = Float(display_name=_("Weight of the contribution"), default=0.3, scope=Scope.settings)
    weight_reviews = Float(display_name=_("Weight of the reviews given"), default=0.4, scope=Scope.settings)
    weight_reflection = Float(display_name=_("Weight of the reflection"), default=0.3, scope=Scope.settings)
    published_score = Float(default=None, scope=Scope.user_state)

    has_score = True
    has_author_view = True  # Studio shows the author_view summary instead of the learner view
    icon_class = "problem"
    editable_fields = ui.EDITABLE_FIELDS
    clean_studio_payload = staticmethod(ui.clean_studio_payload)

    # --- configuration -------------------------------------------------------------------------------
    def config(self):
        from mlcourse.services import ActivityConfig, Question  # noqa: PLC0415 - lazy: Django may not be ready
        from mlcourse.services.config import Weights  # noqa: PLC0415

        return ActivityConfig(
            course_key=course_key_for(self), usage_key=usage_key_for(self),
            rubric=tuple(Question.from_dict(q) for q in self.rubric), partner_rule=self.partner_rule,
            allow_triads=self.allow_triads, fallback_window_hours=self.fallback_window_hours,
            review_window_hours=self.review_window_hours, min_words=self.min_words, max_words=self.max_words,
            submission_due=self.submission_due, review_due=self.review_due, anonymous=self.anonymous,
            weights=Weights(self.weight_contribution, self.weight_reviews, self.weight_reflection))

    def max_score(self):
        return 1.0

    # --- views ---------------------------------------------------------------------------------------
    def student_view(self, context=None):
        from mlcourse.services import ApiError, get_state  # noqa: PLC0415

        actor = self.actor
        state = None
        if actor.is_authenticated:
            try:
                state = get_state(self.config(), actor)
            except ApiError:
                state = None
        html = resources.render_template("mlcourse/peer_exchange.html", ui.student_context(self, actor, state))
        if actor.is_staff:  # course staff see the cohort's dashboard below the learner view
            html += resources.render_template("mlcourse/staff_dashboard.html", staff_ui.dashboard_context(self))
        frag = Fragment(html)
        frag.add_css(resources.read_static("css/peer_exchange.css"))
        if actor.is_staff:
            frag.add_css(resources.read_static("css/staff_dashboard.css"))
            frag.add_javascript(resources.read_static("js/staff_dashboard.js"))
        frag.add_javascript(resources.read_static("js/peer_exchange.js"))
        frag.initialize_js("MlcoursePeerExchange")  # no learner text in init args: the page carries JSON safely
        return frag

    def author_view(self, context=None):
        html = resources.render_template("mlcourse/peer_exchange_author.html", ui.author_context(self))
        frag = Fragment(html)
        frag.add_css(resources.read_static("css/peer_exchange.css"))
        return frag

    def studio_view(self, context=None):
        html = resources.render_template("mlcourse/peer_exchange_studio.html", ui.studio_context(self))
        frag = Fragment(html)
        frag.add_css(resources.read_static("css/peer_exchange.css"))
        frag.add_javascript(resources.read_static("js/peer_exchange_studio.js"))
        frag.initialize_js("MlcoursePeerExchangeStudio")
        return frag

    def student_view_data(self, context=None):
        """Settings for the Open edX mobile apps; learner data comes from the `state` handler."""
        return ui.view_data(self)

    # --- learner handlers (documented in docs/handlers.md) ---------------------------------------------
    def _run(self, operation, payload):
        state = operation(self.config(), self.actor, payload)
        self._publish_progress(state)
        return state

    @json_handler
    def state(self, payload):
        from mlcourse.services import get_state  # noqa: PLC0415
        from mlcourse.services.validation import only_keys, require_dict  # noqa: PLC0415

        only_keys(require_dict(payload), set())
        return get_state(self.config(), self.actor)

    @json_handler
    def save_context(self, payload):
        from mlcourse.services import save_context  # noqa: PLC0415

        return self._run(save_context, payload)

    @json_handler
    def submit_contribution(self, payload):
        from mlcourse.services import submit_contribution  # noqa: PLC0415

        return self._event(self._run(submit_contribution, payload), "contribution_submitted")

    @json_handler
    def submit_review(self, payload):
        from mlcourse.services import submit_review  # noqa: PLC0415

        return self._event(self._run(submit_review, payload), "review_submitted")

    @json_handler
    def rate_review(self, payload):
        from mlcourse.services import rate_review  # noqa: PLC0415

        return self._event(self._run(rate_review, payload), "review_rated")

    @json_handler
    def submit_reflection(self, payload):
        from mlcourse.services import submit_reflection  # noqa: PLC0415

        return self._event(self._run(submit_reflection, payload), "reflection_submitted")

    @json_handler
    def request_new_partner(self, payload):
        from mlcourse.services import request_new_partner  # noqa: PLC0415

        return self._event(self._run(request_new_partner, payload), "new_partner_requested")

    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):
        """GET, for the Open edX mobile apps: the learner's state, as the `state` handler gives it."""
        from mlcourse.services import ApiError, get_state  # noqa: PLC0415

        try:
            return json_response(get_state(self.config(), self.actor))
        except ApiError as error:
            return error_response(self, error)

    @XBlock.handler
    def download_my_data(self, request, suffix=""):
        """GET: everything this activity stores about the current learner, as a JSON file."""
        from mlcourse.services import ApiError  # noqa: PLC0415
        from mlcourse.services.privacy import my_data  # noqa: PLC0415

        try:
            data = my_data(self.config(), self.actor)
        except ApiError as error:
            return error_response(self, error)
        response = json_response(data)
        response.headers["Content-Disposition"] = 'attachment; filename="my-peer-exchange-data.json"'
        response.headers["Cache-Control"] = "no-store"
        return response

    # --- grading and events --------------------------------------------------------------------------
    def _event(self, state, name):
        self.runtime.publish(self, f"mlcourse.peer_exchange.{name}",
                             {"phase": state["phase"], "exchange": (state["exchange"] or {}).get("id")})
        return state

    def _publish_progress(self, state):
        score = ui.score(self, state["progress"])
        if score != self.published_score:
            self.runtime.publish(self, "grade", {"value": score, "max_value": 1.0})
            self.published_score = score
        if state["phase"] == "done":
            self.runtime.publish(self, "completion", {"completion": 1.0})

    @staticmethod
    def workbench_scenarios():
        return ui.workbench_scenarios()
