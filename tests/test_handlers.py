"""The JSON handlers through the xblock-sdk workbench's real runtime, as several learners and as staff."""
import json

import pytest

from conftest import CONTRIBUTION, SCENARIO
from mlcourse.models import Contribution, Participant, Review

pytestmark = pytest.mark.django_db
CONTEXT = {"country": "GH", "organisation_type": "research", "languages": ["en"], "time_zone": "Africa/Accra"}


def start(learner, name, country):
    person = learner(name)
    person.ok("save_context", {**CONTEXT, "country": country})
    return person, person.ok("submit_contribution", {"text": CONTRIBUTION})


def test_state_of_a_new_learner(learner):
    state = learner("ana").ok("state")
    assert state["phase"] == "context" and state["exchange"] is None
    assert [q["id"] for q in state["rubric"]] == ["q1", "q2", "q3"]
    assert state["reviews_received"] == [] and state["reviews_received_locked"] is False


def test_full_flow_through_the_handlers(learner):
    kwame, state = start(learner, "kwame", "GH")
    assert state["phase"] == "waiting"
    ana, state = start(learner, "ana", "BR")
    assert state["phase"] == "review"
    partner = next(m for m in state["exchange"]["members"] if not m["is_me"])
    assert partner["contribution"]["text"] == CONTRIBUTION and partner["country"] == "GH"
    answers = {"q1": 5, "q2": 4, "q3": "Price surveys with traders."}
    state = ana.ok("submit_review", {"reviewee": partner["id"], "answers": answers, "learned": "L", "suggestion": "S"})
    assert state["phase"] == "feedback"
    kwame_state = kwame.ok("state")
    assert kwame_state["reviews_received"] == [] and kwame_state["reviews_received_locked"]
    me = next(m for m in kwame_state["exchange"]["members"] if not m["is_me"])
    kwame_state = kwame.ok("submit_review", {"reviewee": me["id"], "answers": {"q1": 3, "q2": 3}, "learned": "L2",
                                             "suggestion": "S2"})
    review = kwame_state["reviews_received"][0]
    assert review["answers"] == answers
    kwame.ok("rate_review", {"review": review["id"], "helpfulness": 4, "note": "Medaase"})
    done = kwame.ok("submit_reflection", {"text": "Bring the voices of users into evaluations."})
    assert done["phase"] == "done"


@pytest.mark.parametrize("handler", ["state", "save_context", "submit_contribution", "submit_review", "rate_review",
                                     "submit_reflection", "request_new_partner"])
def test_bad_requests_get_the_error_shape_and_change_nothing(learner, handler):
    person = learner("kwame")
    person.ok("save_context", CONTEXT)
    before = (list(Participant.objects.values()), list(Contribution.objects.values()))
    for raw in ("{not json", "[1, 2]", '"text"', json.dumps({"unexpected": "x" * 10})):
        status, data = person.call(handler, raw=raw)
        assert 400 <= status < 500, (raw, status, data)
        assert set(data) == {"error", "code"} and data["error"], data
    status, data = person.call(handler, raw="x" * 300_000)
    assert status == 413 and data["code"] == "too_large"
    status, data = person.call(handler, method="get")
    assert status == 405 and data["code"] == "method_not_allowed"
    assert before == (list(Participant.objects.values()), list(Contribution.objects.values()))


def test_a_learner_never_sees_others_work_before_pairing(learner):
    start(learner, "sadia", "PK")
    state = learner("bilal").ok("state")
    assert "Our ministry" not in json.dumps(state)
    _, state = start(learner, "bilal", "PK")
    assert state["phase"] == "waiting" and state["exchange"] is None
    assert CONTRIBUTION not in json.dumps({k: v for k, v in state.items() if k != "contribution"})


def test_review_of_someone_outside_the_exchange_is_refused(learner):
    start(learner, "kwame", "GH")
    ana, state = start(learner, "ana", "BR")
    start(learner, "li", "CN")
    _, li_state = start(learner, "helen", "GB")
    li_id = next(m["id"] for m in li_state["exchange"]["members"] if not m["is_me"])
    status, data = ana.call("submit_review", {"reviewee": li_id, "answers": {"q1": 1, "q2": 1}, "learned": "x",
                                              "suggestion": "y"})
    assert status == 403 and data["code"] == "not_your_partner"
    assert Review.objects.count() == 0


def test_student_view_renders_with_assets_and_no_learner_text_in_init_args(client, scenarios):
    start_learner = client.get(f"/scenario/{SCENARIO}/?student=ana")
    html = start_learner.content.decode()
    assert start_learner.status_code == 200
    assert "MlcoursePeerExchange" in html and ".mlc-pe" in html  # JS and CSS inlined
    assert 'data-panel="review"' in html and "Brazil" in html and 'type="application/json"' in html


def test_studio_submit_is_validated_and_staff_only(client, scenarios):
    url = "/handler/evidence-in-policymaking-peer-exchange.peer_exchange.d0.u0/studio_submit/?student="
    good = {"display_name": "Exchange", "prompt": "Write.", "rubric": [{"id": "a", "label": "Clear?",
            "type": "scale", "required": True}], "partner_rule": "any", "allow_triads": True, "anonymous": False,
            "fallback_window_hours": 24, "review_window_hours": 48, "min_words": 10, "max_words": 100,
            "weight_contribution": 0.2, "weight_reviews": 0.5, "weight_reflection": 0.3,
            "submission_due": None, "review_due": None}
    response = client.post(url + "ana", data=json.dumps(good), content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    bad = {**good, "rubric": [{"id": "a", "label": "", "type": "scale"}]}
    response = client.post(url + "staff", data=json.dumps(bad), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_settings"
    response = client.post(url + "staff", data=json.dumps({**good, "min_words": 500}),
                           content_type="application/json")
    assert response.status_code == 400
    response = client.post(url + "staff", data=json.dumps(good), content_type="application/json")
    assert response.status_code == 200, response.content
    state = client.post(f"/handler/evidence-in-policymaking-peer-exchange.peer_exchange.d0.u0/state/?student=ana",
                        data="{}", content_type="application/json").json()
    assert state["rubric"] == good["rubric"] and state["limits"] == {"min_words": 10, "max_words": 100}


def test_studio_refuses_rubric_ids_that_are_not_plain_names(client, scenarios):
    url = "/handler/evidence-in-policymaking-peer-exchange.peer_exchange.d0.u0/studio_submit/?student=staff"
    payload = {"display_name": "Exchange", "prompt": "Write.", "partner_rule": "any", "allow_triads": False,
               "anonymous": False, "fallback_window_hours": 24, "review_window_hours": 48, "min_words": 10,
               "max_words": 100, "weight_contribution": 0.2, "weight_reviews": 0.5, "weight_reflection": 0.3,
               "rubric": [{"id": "q'1", "label": "Clear?", "type": "scale", "required": True}]}
    response = client.post(url, data=json.dumps(payload), content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_settings"
