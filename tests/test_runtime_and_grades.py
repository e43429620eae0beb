"""The runtime adapter (LMS and workbench users) and the grade / completion / analytics events a block publishes."""
import json

import pytest
from webob import Request
from workbench.runtime import WorkbenchRuntime
from xblock.reference.user_service import UserService, XBlockUser

from conftest import CONTRIBUTION
from mlcourse.runtime import actor_for

pytestmark = pytest.mark.django_db


class LmsUsers(UserService):
    def __init__(self, **attrs):
        user = XBlockUser(is_current_user=True)
        user.opt_attrs.update(attrs)
        super().__init__(user=user)

    def get_current_user(self):
        return self._user


class RecordingRuntime(WorkbenchRuntime):
    """The workbench runtime, recording what blocks publish (the workbench itself only logs it)."""

    def __init__(self, user_id, users=None):
        super().__init__(user_id)
        self.events = []
        if users is not None:
            self._services["user"] = users

    def publish(self, block, event_type, event_data):
        self.events.append((event_type, event_data))


def make_block(runtime, xml='<peer_exchange min_words="10" max_words="200"/>'):
    runtime.id_generator.set_scenario("grades")
    return runtime.get_block(runtime.parse_xml_string(xml))


def call(runtime, block, handler, payload):
    response = runtime.handle(block, handler, Request.blank("/", method="POST", body=json.dumps(payload).encode()))
    return response.status_code, json.loads(response.body)


def test_lms_user_attributes_become_the_actor():
    users = LmsUsers(**{"edx-platform.anonymous_user_id": "anon-1", "edx-platform.username": "ana",
                        "edx-platform.user_is_staff": False, "edx-platform.user_role": "instructor",
                        "edx-platform.is_authenticated": True, "edx-platform.request_country_code": "br",
                        "edx-platform.user_preferences": {"pref-lang": "pt-br", "time_zone": "America/Recife"}})
    block = make_block(RecordingRuntime("x", users))
    actor = actor_for(block)
    assert (actor.learner_id, actor.display_name, actor.is_staff, actor.language, actor.country_hint,
            actor.time_zone_hint) == ("anon-1", "ana", True, "pt-br", "BR", "America/Recife")


def test_anonymous_lms_user_is_asked_to_sign_in():
    users = LmsUsers(**{"edx-platform.anonymous_user_id": "anon-x", "edx-platform.is_authenticated": False})
    runtime = RecordingRuntime("x", users)
    block = make_block(runtime)
    assert not actor_for(block).is_authenticated
    html = block.render("student_view", {}).body_html()
    assert "Please sign in to take part" in html and 'data-panel' not in html
    status, data = call(runtime, block, "state", {})
    assert status == 403 and data["code"] == "not_signed_in"


def test_workbench_staff_comes_from_settings(settings):
    settings.MLCOURSE_WORKBENCH_STAFF_IDS = {"coach"}
    assert actor_for(make_block(RecordingRuntime("coach"))).is_staff
    assert not actor_for(make_block(RecordingRuntime("staff"))).is_staff


def test_grades_completion_and_events_follow_the_steps():
    kwame_rt, ana_rt = RecordingRuntime("kwame"), RecordingRuntime("ana")
    kwame = make_block(kwame_rt)
    ana = ana_rt.get_block(kwame.scope_ids.usage_id)  # the same activity, seen by another learner
    for runtime, block, country in ((kwame_rt, kwame, "GH"), (ana_rt, ana, "BR")):
        assert call(runtime, block, "save_context", {"country": country, "organisation_type": "other"})[0] == 200
        status, state = call(runtime, block, "submit_contribution", {"text": CONTRIBUTION})
        assert status == 200
    assert ("grade", {"value": 0.3, "max_value": 1.0}) in ana_rt.events
    assert ("mlcourse.peer_exchange.contribution_submitted", {"phase": "review", "exchange": state["exchange"]["id"]}) \
        in ana_rt.events
    for runtime, block in ((kwame_rt, kwame), (ana_rt, ana)):
        state = call(runtime, block, "state", {})[1]
        partner = next(m["id"] for m in state["exchange"]["members"] if not m["is_me"])
        status, _ = call(runtime, block, "submit_review", {"reviewee": partner, "answers": {"q1": 3, "q2": 4},
                                                           "learned": "L", "suggestion": "S"})
        assert status == 200
    assert ("grade", {"value": 0.7, "max_value": 1.0}) in ana_rt.events
    review = call(ana_rt, ana, "state", {})[1]["reviews_received"][0]["id"]
    call(ana_rt, ana, "rate_review", {"review": review, "helpfulness": 4})
    status, state = call(ana_rt, ana, "submit_reflection", {"text": "Bring price data."})
    assert status == 200 and state["phase"] == "done"
    assert ("grade", {"value": 1.0, "max_value": 1.0}) in ana_rt.events
    assert ("completion", {"completion": 1.0}) in ana_rt.events
    assert not any(event == "completion" for event, _ in kwame_rt.events)
