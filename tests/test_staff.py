"""Staff tools: overview numbers, audited actions, and who may call them."""
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import CONTRIBUTION, USAGE
from mlcourse.models import (Activity, Contribution, Exchange, Membership, Participant, Rating, Reflection, Review,
                             StaffAction)
from mlcourse.pairing import PartnerRule
from mlcourse.runtime import Actor
from mlcourse.services import ApiError, get_state
from mlcourse.services.staff_actions import (staff_batch_pair, staff_dissolve, staff_extend_deadline, staff_hide,
                                             staff_pair, staff_unhide)
from mlcourse.services.staff_overview import staff_overview
from test_services import T0, actor, config, join, review_all

pytestmark = pytest.mark.django_db
STAFF = Actor(learner_id="coach", display_name="Coach", is_staff=True)


def test_overview_counts_matrix_and_reciprocity():
    cfg = config()
    join(cfg, "joao", "BR")
    join(cfg, "helen", "GB", minutes=1)
    join(cfg, "sadia", "PK", minutes=2)
    join(cfg, "bilal", "PK", minutes=3)
    review_all(cfg, "joao")
    review_all(cfg, "helen")
    review = get_state(cfg, actor("joao"))["reviews_received"][0]["id"]
    from mlcourse.services import rate_review  # noqa: PLC0415
    rate_review(cfg, actor("joao"), {"review": review, "helpfulness": 5})
    overview = staff_overview(cfg, STAFF, {}, now=T0 + timedelta(hours=1))
    counts = overview["counts"]
    assert (counts["participants"], counts["contributed"], counts["waiting"], counts["feedback"], counts["review"],
            counts["exchanges"], counts["reviews"]) == (4, 4, 2, 2, 0, 1, 2)
    assert [row["why"] for row in overview["waiting"]["rows"]] == ["same_country_only"] * 2
    cells = {(c["from"], c["to"]): c for c in overview["matrix"]["cells"]}
    assert cells[("GB", "BR")]["mean_helpfulness"] == 5 and cells[("BR", "GB")]["reviews"] == 1
    assert overview["flows"] == {"country_pairs": 1, "two_way": 1, "two_way_share": 1.0}
    row = overview["exchanges"]["rows"][0]
    assert row["reciprocity"]["completion"] == 1.0 and {m["step"] for m in row["members"]} == {"feedback"}
    assert overview["reciprocity"]["both_directions"] == 1.0
    assert overview["ratings"]["5"] == 1


def test_pair_by_hand_warns_then_pairs_when_confirmed():
    cfg = config()
    join(cfg, "sadia", "PK")
    join(cfg, "bilal", "PK", minutes=1)
    ids = list(Participant.objects.order_by("pk").values_list("pk", flat=True))
    with pytest.raises(ApiError) as err:
        staff_pair(cfg, STAFF, {"participants": ids})
    assert err.value.code == "confirm_needed" and err.value.details == {"warnings": ["same_country"]}
    assert Exchange.objects.count() == 0
    result = staff_pair(cfg, STAFF, {"participants": ids, "confirm": True})
    assert result["reasons"] == ["staff", "same_country"]
    assert get_state(cfg, actor("sadia"))["phase"] == "review"
    assert StaffAction.objects.get().action == "pair"


def test_dissolve_requeues_members_and_keeps_reviews():
    cfg = config()
    join(cfg, "joao", "BR")
    join(cfg, "helen", "GB", minutes=1)
    review_all(cfg, "joao")
    exchange = Exchange.objects.get()
    result = staff_dissolve(cfg, STAFF, {"exchange": exchange.pk, "reason": "Helen changed course"})
    assert len(result["requeued"]) == 2
    assert Review.objects.count() == 1 and Exchange.objects.get().status == "closed"
    joao = get_state(cfg, actor("joao"))
    assert joao["phase"] == "waiting" and len(joao["reviews_given"]) == 1
    # The two are past partners now: a newcomer from China is paired with one of them, not them together.
    state = join(cfg, "li", "CN", minutes=5)
    assert state["phase"] == "review"


def test_batch_pair_preview_then_execute_reaches_the_bound():
    cfg = config(partner_rule=PartnerRule.DIFFERENT_COUNTRY_REQUIRED)
    countries = ["PK"] * 5 + ["BR", "NG", "GH"]
    now = timezone.now()
    activity = Activity.objects.create(course_key=cfg.course_key, usage_key=cfg.usage_key)
    people = Participant.objects.bulk_create([
        Participant(activity=activity, learner_id=f"w{i}", country=c, organisation_type="other",
                    waiting_since=now - timedelta(minutes=i)) for i, c in enumerate(countries)])
    Contribution.objects.bulk_create([Contribution(participant=p, text="x", word_count=1, submitted=now)
                                      for p in people])
    preview = staff_batch_pair(cfg, STAFF, {"dry_run": True})
    assert preview["cross_country_pairs"] == preview["upper_bound_cross_country_pairs"] == 3
    assert Exchange.objects.count() == 0 and StaffAction.objects.count() == 0
    done = staff_batch_pair(cfg, STAFF, {})
    assert len(done["exchanges"]) == 3
    assert Participant.objects.filter(waiting_since__isnull=False).count() == 2
    for exchange in Exchange.objects.all():
        assert len(set(exchange.memberships.values_list("participant__country", flat=True))) == 2
    rest = staff_batch_pair(cfg, STAFF, {"include_same_country": True})
    assert [g["reasons"] for g in rest["groups"]] == [["same_country"]]
    assert Participant.objects.filter(waiting_since__isnull=False).count() == 0


def test_hide_and_unhide_a_review():
    cfg = config()
    join(cfg, "joao", "BR")
    join(cfg, "helen", "GB", minutes=1)
    review_all(cfg, "joao")
    review_all(cfg, "helen")
    review = Review.objects.get(reviewer__learner_id="joao")
    staff_hide(cfg, STAFF, {"kind": "review", "id": review.pk, "reason": "Personal attack"})
    assert get_state(cfg, actor("helen"))["reviews_received"] == []
    assert get_state(cfg, actor("joao"))["reviews_given"][0]["hidden_reason"] == "Personal attack"
    with pytest.raises(ApiError) as err:
        staff_hide(cfg, STAFF, {"kind": "review", "id": review.pk, "reason": "again"})
    assert err.value.code == "conflict"
    staff_unhide(cfg, STAFF, {"kind": "review", "id": review.pk})
    assert len(get_state(cfg, actor("helen"))["reviews_received"]) == 1
    contribution = Contribution.objects.get(participant__learner_id="helen")
    staff_hide(cfg, STAFF, {"kind": "contribution", "id": contribution.pk, "reason": "Names a colleague"})
    partner_view = get_state(cfg, actor("joao"))["exchange"]["members"]
    assert {m["contribution"]["text"] for m in partner_view if not m["is_me"]} == {None}
    assert get_state(cfg, actor("helen"))["contribution"]["hidden_reason"] == "Names a colleague"
    assert list(StaffAction.objects.values_list("action", flat=True).order_by("pk")) == ["hide", "unhide", "hide"]


def test_extend_a_deadline_for_one_learner():
    cfg = config(submission_due=timezone.now() - timedelta(hours=1))
    STAFF_CFG = cfg
    Activity.objects.create(course_key=cfg.course_key, usage_key=cfg.usage_key)
    late = Participant.objects.create(activity=Activity.objects.get(), learner_id="late", country="GH",
                                      organisation_type="other")
    with pytest.raises(ApiError):
        from mlcourse.services import submit_contribution  # noqa: PLC0415
        submit_contribution(cfg, actor("late"), {"text": CONTRIBUTION})
    staff_extend_deadline(STAFF_CFG, STAFF, {"participant": late.pk,
                                             "submission_due": (timezone.now() + timedelta(days=2)).isoformat()})
    assert submit_contribution(cfg, actor("late"), {"text": CONTRIBUTION})["phase"] == "waiting"


@pytest.mark.parametrize("operation, payload", [
    (staff_overview, {}), (staff_pair, {"participants": [1, 2]}), (staff_dissolve, {"exchange": 1}),
    (staff_batch_pair, {"dry_run": True}), (staff_hide, {"kind": "review", "id": 1, "reason": "x"}),
    (staff_unhide, {"kind": "review", "id": 1}), (staff_extend_deadline, {"participant": 1}),
])
def test_learners_are_refused_every_staff_action(operation, payload):
    cfg = config()
    join(cfg, "joao", "BR")
    before = [list(m.objects.values()) for m in (Participant, Exchange, StaffAction)]
    for who in (actor("joao"), Actor(learner_id=None)):
        with pytest.raises(ApiError) as err:
            operation(cfg, who, payload)
        assert err.value.code == "forbidden" and err.value.status == 403
    assert before == [list(m.objects.values()) for m in (Participant, Exchange, StaffAction)]


STAFF_HANDLERS = ["staff_overview", "staff_pair", "staff_dissolve", "staff_batch_pair", "staff_hide", "staff_unhide",
                  "staff_extend_deadline", "staff_import_roster"]


@pytest.mark.parametrize("handler", STAFF_HANDLERS)
def test_staff_handlers_answer_403_json_to_learners(learner, handler):
    status, data = learner("ana").call(handler, {})
    assert status == 403 and data["code"] == "forbidden" and data["error"]


def test_export_handler_refuses_learners(client, scenarios):
    response = client.get(f"/handler/{USAGE}/export_csv/?student=ana&table=reviews")
    assert response.status_code == 403 and json.loads(response.content)["code"] == "forbidden"


def populate(size):
    """`size` learners in pairs with reviews both ways and ratings; a tenth waiting."""
    activity, _ = Activity.objects.get_or_create(course_key="c", usage_key="big")
    now = timezone.now()
    countries = ["BR", "PK", "NG", "GH", "CN", "GB"]
    people = Participant.objects.bulk_create([
        Participant(activity=activity, learner_id=f"p{i}", display_name=f"P{i}", country=countries[i % 6],
                    organisation_type="other", waiting_since=now if i < size // 10 else None) for i in range(size)])
    paired = people[size // 10:]
    exchanges = Exchange.objects.bulk_create([Exchange(activity=activity, reasons=["cross_country"], created=now)
                                              for _ in range(len(paired) // 2)])
    Membership.objects.bulk_create([Membership(exchange=exchanges[i // 2], participant=p, joined=now)
                                    for i, p in enumerate(paired[:2 * len(exchanges)])])
    reviews = Review.objects.bulk_create([
        Review(exchange=exchanges[i // 2], reviewer=p, reviewee=paired[i + 1 if i % 2 == 0 else i - 1], learned="l",
               suggestion="s", submitted=now) for i, p in enumerate(paired[:2 * len(exchanges)])])
    Rating.objects.bulk_create([Rating(review=r, helpfulness=1 + r.pk % 5, submitted=now) for r in reviews[::2]])
    Reflection.objects.bulk_create([Reflection(participant=p, exchange=exchanges[i // 2], text="t", submitted=now)
                                    for i, p in enumerate(paired[:len(paired) // 4])])


def test_overview_runs_the_same_statements_at_100_and_10000():
    cfg = config(course_key="c", usage_key="big")
    counts = {}
    for size in (100, 10_000):
        Activity.objects.all().delete()
        populate(size)
        with CaptureQueriesContext(connection) as ctx:
            overview = staff_overview(cfg, STAFF, {"page_size": 50})
        counts[size] = len(ctx.captured_queries)
        assert overview["counts"]["participants"] == size
        assert len(overview["exchanges"]["rows"]) == min(50, overview["exchanges"]["total"]) and overview["reciprocity"]["exchanges_measured"] > 0
    assert counts[100] == counts[10_000], counts
