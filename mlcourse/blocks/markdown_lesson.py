"""The co-authored Markdown lesson XBlock: a lesson written with colleagues from several countries, credited to
them, readable in each learner's language, with a case from practice and a question for discussion. The block is
thin: rendering, language choice and validation live in `markdown_lesson_ui`."""
from __future__ import annotations

from web_fragments.fragment import Fragment
from xblock.core import XBlock
from xblock.fields import Scope, String

from mlcourse import resources

from . import markdown_lesson_ui as ui
from .base import BlockMixin, StudioSubmitMixin, json_response
from .fields import JsonDict, JsonList

_ = lambda text: text  # noqa: E731 - marks field labels for extraction; Studio translates them


@XBlock.supports("multi_device")
@XBlock.needs("user")
@XBlock.wants("i18n")
class MarkdownLessonBlock(StudioSubmitMixin, BlockMixin, XBlock):
    """Co-designed lesson content in Markdown, sanitized, with language variants and credits."""

    display_name = String(display_name=_("Display name"), default=ui.DEFAULT_TITLE, scope=Scope.settings)
    body_language = String(display_name=_("Language of the main text"), default="en", scope=Scope.content)
    body = String(display_name=_("Lesson text (Markdown)"), default=ui.DEFAULT_BODY, scope=Scope.content,
                  multiline_editor=True)
    variants = JsonDict(display_name=_("The lesson in other languages"), default={}, scope=Scope.content)
    credits = JsonList(display_name=_("Co-designed by"), default=[], scope=Scope.content)
    practice_case = JsonDict(display_name=_("From practice"), default={}, scope=Scope.content)
    discussion_prompt = String(display_name=_("Discussion prompt (Markdown)"), default="", scope=Scope.content,
                               multiline_editor=True)
    iframe_hosts = JsonList(display_name=_("Hosts allowed for embedded media"),
                            default=list(ui.DEFAULT_IFRAME_HOSTS), scope=Scope.settings)

    icon_class = "other"
    has_author_view = True  # Studio shows author_view (the summary) only when the block says so
    editable_fields = ui.EDITABLE_FIELDS
    clean_studio_payload = staticmethod(ui.clean_studio_payload)

    # --- views ---------------------------------------------------------------------------------------
    def student_view(self, context=None):
        html = resources.render_template("mlcourse/markdown_lesson.html", ui.student_context(self, self.actor))
        frag = Fragment(html)
        frag.add_css(resources.read_static("css/markdown_lesson.css"))
        frag.add_javascript(resources.read_static("js/markdown_lesson.js"))
        frag.initialize_js("MlcourseMarkdownLesson")  # no learner text in init args: the page carries it
        return frag

    def author_view(self, context=None):
        frag = Fragment(resources.render_template("mlcourse/markdown_lesson.html", ui.author_context(self)))
        frag.add_css(resources.read_static("css/markdown_lesson.css"))
        return frag

    def studio_view(self, context=None):
        frag = Fragment(resources.render_template("mlcourse/markdown_lesson_studio.html", ui.studio_context(self)))
        frag.add_css(resources.read_static("css/peer_exchange.css"))  # the shared form styles
        frag.add_css(resources.read_static("css/markdown_lesson.css"))
        frag.add_javascript(resources.read_static("js/markdown_lesson_studio.js"))
        frag.initialize_js("MlcourseMarkdownLessonStudio")
        return frag

    def student_view_data(self, context=None):
        """For the Open edX mobile apps: title, credits, the sanitized HTML of every language, case, prompt."""
        return ui.view_data(self)

    # --- handlers --------------------------------------------------------------------------------------
    @XBlock.handler
    def student_view_user_state(self, request, suffix=""):
        """GET, for the Open edX mobile apps: a lesson keeps nothing per learner; the language it would show
        this learner first is the one piece of state there is."""
        return json_response({"language": ui.chosen_language(self)})

    @staticmethod
    def workbench_scenarios():
        return ui.workbench_scenarios()
