"""The services layer on a real database: the whole exchange, the rules, the refusals that write nothing."""
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import CONTRIBUTION
from mlcourse.models import Contribution, Exchange, Membership, Participant, Rating, Reflection, Review
from mlcourse.pairing import PartnerRule
from mlcourse.runtime import Actor
from mlcourse.services import (
    ActivityConfig,
    ApiError,
    Question,
    get_state,
    rate_review,
    request_new_partner,
    save_context,
    submit_contribution,
    submit_reflection,
    submit_review,
)

pytestmark = pytest.mark.django_db
RUBRIC = (Question("q1", "Clarity", "scale", True), Question("q2", "What could travel?", "text", False))
T0 = timezone.now() - timedelta(days=10)


def config(**overrides):
    base = dict(course_key="course-v1:IDS+ML+2026", usage_key="block-1", rubric=RUBRIC, min_words=10,
                max_words=200)
    base.update(overrides)
    return ActivityConfig(**base)


def actor(name):
    return Actor(learner_id=name, display_name=name.title())


def join(cfg, name, country, minutes=0, org="national_government"):
    when = T0 + timedelta(minutes=minutes)
    save_context(cfg, actor(name), {"country": country, "organisation_type": org, "languages": ["en"],
                                    "time_zone": "Africa/Accra"}, now=when)
    return submit_contribution(cfg, actor(name), {"text": CONTRIBUTION}, now=when)


def review_all(cfg, name, minutes=60):
    state = get_state(cfg, actor(name), now=T0 + timedelta(minutes=minutes))
    for member_id in state["reviews_pending"]:
        state = submit_review(cfg, actor(name), {"reviewee": member_id, "answers": {q.id: 4 for q in cfg.rubric if q.type == "scale"},
                                                 "learned": "Budgets need price data.",
                                                 "suggestion": "Survey traders."},
                              now=T0 + timedelta(minutes=minutes))
    return state


def snapshot():
    models = (Participant, Contribution, Exchange, Membership, Review, Rating, Reflection)
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def test_whole_exchange_between_two_countries():
    cfg = config()
    assert join(cfg, "kwame", "GH")["phase"] == "waiting"
    state = join(cfg, "joao", "BR", minutes=5)
    assert state["phase"] == "review"
    assert state["exchange"]["reason"] == ["cross_country"]
    members = state["exchange"]["members"]
    assert {m["country"] for m in members} == {"GH", "BR"}
    assert [m["is_me"] for m in members].count(True) == 1
    kwame_view = get_state(cfg, actor("kwame"))
    assert [m["id"] for m in kwame_view["exchange"]["members"]] == [m["id"] for m in members]

    # Kwame reviews first: he sees nothing received yet; Joao's received review stays locked until he reviews.
    state = review_all(cfg, "kwame")
    assert state["phase"] == "feedback" and state["reviews_received"] == []
    joao = get_state(cfg, actor("joao"))
    assert joao["phase"] == "review"
    assert joao["reviews_received_locked"] is True and joao["reviews_received"] == []
    assert joao["reviews_received_count"] == 1
    joao = review_all(cfg, "joao")
    assert joao["phase"] == "feedback" and len(joao["reviews_received"]) == 1
    assert joao["reviews_received"][0]["learned"] == "Budgets need price data."

    with pytest.raises(ApiError) as err:
        submit_reflection(cfg, actor("joao"), {"text": "I will."})
    assert err.value.code == "ratings_pending"
    received = joao["reviews_received"][0]["id"]
    rate_review(cfg, actor("joao"), {"review": received, "helpfulness": 5, "note": "Obrigado"})
    done = submit_reflection(cfg, actor("joao"), {"text": "Bring price data to budget talks."})
    assert done["phase"] == "done" and done["progress"] == {"contribution": True, "reviews_given": 1,
                                                             "reviews_due": 1, "reflection": True}
    kwame = get_state(cfg, actor("kwame"))
    assert kwame["reviews_given"][0]["rating"] == {"helpfulness": 5, "note": "Obrigado"}


def test_same_country_waits_under_required_rule():
    cfg = config()
    join(cfg, "sadia", "PK")
    state = join(cfg, "bilal", "PK", minutes=1)
    assert state["phase"] == "waiting" and state["waiting"]["others_waiting"] == 1
    state = join(cfg, "amina", "NG", minutes=2)
    partner = [m for m in state["exchange"]["members"] if not m["is_me"]][0]
    assert partner["name"] == "Sadia"  # the longest waiting first


def test_preferred_rule_relaxes_after_the_window():
    cfg = config(partner_rule=PartnerRule.DIFFERENT_COUNTRY_PREFERRED, fallback_window_hours=48)
    join(cfg, "sadia", "PK")
    assert join(cfg, "bilal", "PK", minutes=60)["phase"] == "waiting"
    later = get_state(cfg, actor("sadia"), now=T0 + timedelta(hours=49))
    assert later["phase"] == "review"
    assert "relaxed_after_window" in later["exchange"]["reason"]


def test_triad_after_the_window_keeps_the_group_multi_country():
    cfg = config(allow_triads=True)
    join(cfg, "sadia", "PK")
    join(cfg, "amina", "NG", minutes=1)
    assert join(cfg, "bilal", "PK", minutes=2)["phase"] == "waiting"
    state = get_state(cfg, actor("bilal"), now=T0 + timedelta(hours=49))
    assert state["phase"] == "review"
    assert len(state["exchange"]["members"]) == 3 and "triad" in state["exchange"]["reason"]
    assert len(state["reviews_pending"]) == 2


def test_partners_met_in_another_activity_are_avoided_then_recorded():
    first, second = config(usage_key="block-1"), config(usage_key="block-2")
    join(first, "kwame", "GH")
    join(first, "joao", "BR")
    join(second, "kwame", "GH")
    join(second, "li", "CN", minutes=1)
    state = join(second, "joao", "BR", minutes=2)
    assert state["phase"] == "waiting"  # Kwame is taken by Li, not re-paired with Joao
    third = config(usage_key="block-3")
    join(third, "kwame", "GH")
    state = join(third, "joao", "BR", minutes=3)
    assert state["exchange"]["reason"] == ["cross_country", "repeat_allowed"]


def test_refusals_write_nothing():
    cfg = config()
    join(cfg, "kwame", "GH")
    before = snapshot()
    bad = [
        (save_context, {"country": "XX", "organisation_type": "parliament"}, "invalid_country"),
        (save_context, {"country": "BR", "organisation_type": "king"}, "invalid_organisation_type"),
        (save_context, {"country": "BR", "organisation_type": "other", "extra": 1}, "unknown_field"),
        (save_context, {"country": "BR", "organisation_type": "other", "time_zone": "Mars/Base"},
         "invalid_time_zone"),
        (submit_contribution, {"text": "too short"}, "word_count"),
        (submit_contribution, {"text": 42}, "invalid_type"),
        (submit_contribution, {"text": "a\x00" * 20}, "invalid_characters"),
        (submit_review, {"reviewee": 1, "answers": {"q1": 3}, "learned": "x", "suggestion": "y"}, "not_paired"),
        (submit_review, {"reviewee": 1, "answers": {}, "learned": "x", "suggestion": "y"}, "required"),
        (submit_review, {"reviewee": 1, "answers": {"q1": True}, "learned": "x", "suggestion": "y"},
         "out_of_range"),
        (submit_review, {"reviewee": "1", "answers": {"q1": 3}, "learned": "x", "suggestion": "y"},
         "invalid_type"),
        (rate_review, {"review": 1, "helpfulness": 9}, "out_of_range"),
        (submit_reflection, {"text": ""}, "required"),
        (request_new_partner, {}, "not_paired"),
    ]
    for operation, payload, code in bad:
        with pytest.raises(ApiError) as err:
            operation(cfg, actor("kwame") if operation is not save_context else actor("newcomer"), payload)
        assert err.value.code == code, (operation.__name__, payload)
        assert 400 <= err.value.status < 500
    assert snapshot() == before


def test_reviews_only_to_own_partners_and_only_once():
    cfg = config()
    join(cfg, "kwame", "GH")
    join(cfg, "joao", "BR")
    join(cfg, "li", "CN", minutes=1)
    join(cfg, "helen", "GB", minutes=2)
    helen = get_state(cfg, actor("helen"))
    li_id = [m["id"] for m in helen["exchange"]["members"] if not m["is_me"]][0]
    with pytest.raises(ApiError) as err:
        submit_review(cfg, actor("kwame"), {"reviewee": li_id, "answers": {"q1": 3}, "learned": "a",
                                            "suggestion": "b"})
    assert err.value.code == "not_your_partner"
    review_all(cfg, "kwame")
    joao_id = get_state(cfg, actor("kwame"))["reviews_given"][0]["reviewee"]
    with pytest.raises(ApiError) as err:
        submit_review(cfg, actor("kwame"), {"reviewee": joao_id, "answers": {"q1": 3}, "learned": "a",
                                            "suggestion": "b"})
    assert err.value.code == "conflict" and err.value.status == 409
    assert Review.objects.count() == 1


def test_contribution_locked_after_pairing_and_editable_before():
    cfg = config()
    join(cfg, "kwame", "GH")
    state = submit_contribution(cfg, actor("kwame"), {"text": CONTRIBUTION + " Edited."})
    assert state["contribution"]["text"].endswith("Edited.") and state["contribution"]["editable"]
    join(cfg, "joao", "BR")
    with pytest.raises(ApiError) as err:
        submit_contribution(cfg, actor("kwame"), {"text": CONTRIBUTION})
    assert err.value.code == "contribution_locked"


def test_vanished_partner_is_replaced_and_returns_to_waiting():
    cfg = config(review_window_hours=72)
    join(cfg, "kwame", "GH")
    join(cfg, "joao", "BR")
    review_all(cfg, "kwame", minutes=30)
    with pytest.raises(ApiError) as err:
        request_new_partner(cfg, actor("kwame"), {}, now=T0 + timedelta(hours=1))
    assert err.value.code == "partner_not_silent"
    assert get_state(cfg, actor("kwame"), now=T0 + timedelta(hours=73))["can_request_new_partner"]
    state = request_new_partner(cfg, actor("kwame"), {}, now=T0 + timedelta(hours=73))
    assert state["phase"] == "waiting" and state["reviews_given"]  # what was given is kept
    kwame = Participant.objects.get(learner_id="kwame")
    assert kwame.first_in_line
    # A newcomer is paired with Kwame first; Joao, back after days, waits again with his work kept.
    state = join(cfg, "li", "CN", minutes=73 * 60 + 5)
    assert [m["name"] for m in state["exchange"]["members"] if not m["is_me"]] == ["Kwame"]
    joao = get_state(cfg, actor("joao"), now=T0 + timedelta(hours=80))
    assert joao["phase"] == "waiting" and joao["contribution"]["text"] == CONTRIBUTION


def test_deadlines_refuse_writes():
    cfg = config(submission_due=T0 - timedelta(days=1))
    with pytest.raises(ApiError) as err:
        save_context(cfg, actor("late"), {"country": "BR", "organisation_type": "other"})
    assert err.value.code == "submission_closed"
    state = get_state(cfg, actor("late"))
    assert state["deadlines"]["submission_closed"] is True


def test_anonymous_activity_hides_partner_names():
    cfg = config(anonymous=True)
    join(cfg, "kwame", "GH")
    state = join(cfg, "joao", "BR")
    names = {m["is_me"]: m["name"] for m in state["exchange"]["members"]}
    assert names == {True: "Joao", False: None}


def test_not_signed_in_is_refused():
    with pytest.raises(ApiError) as err:
        get_state(config(), Actor(learner_id=None))
    assert err.value.code == "not_signed_in" and err.value.status == 403


def test_database_constraints_hold_without_the_code():
    cfg = config()
    join(cfg, "kwame", "GH")
    join(cfg, "joao", "BR")
    kwame = Participant.objects.get(learner_id="kwame")
    exchange = Exchange.objects.get()
    other = Exchange.objects.create(activity=exchange.activity, reasons=[], created=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(exchange=other, participant=kwame, current=True, joined=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(activity=exchange.activity, learner_id="kwame")
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(participant=kwame, text="x", word_count=1, submitted=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(exchange=exchange, reviewer=kwame, reviewee=kwame, learned="x",
                              submitted=timezone.now())
    joao = Participant.objects.get(learner_id="joao")
    review = Review.objects.create(exchange=exchange, reviewer=kwame, reviewee=joao, learned="x",
                                   submitted=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(exchange=exchange, reviewer=kwame, reviewee=joao, learned="y",
                              submitted=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(review=review, helpfulness=6, submitted=timezone.now())
    Rating.objects.create(review=review, helpfulness=3, submitted=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(review=review, helpfulness=4, submitted=timezone.now())


def test_editing_the_rubric_after_reviews_keeps_what_reviews_answered():
    cfg = config()
    join(cfg, "kwame", "GH")
    join(cfg, "joao", "BR")
    review_all(cfg, "kwame")
    edited = config(rubric=(Question("q9", "A brand new question", "scale", True),))
    review_all(edited, "joao")
    received = get_state(edited, actor("joao"))["reviews_received"][0]
    assert [q["label"] for q in received["questions"]] == ["Clarity", "What could travel?"]
    assert received["answers"] == {"q1": 4}
    given = get_state(edited, actor("joao"))["reviews_given"][0]
    assert [q["id"] for q in given["questions"]] == ["q9"]
