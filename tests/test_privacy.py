"""A learner's own data download, and user retirement that keeps partners' exchanges consistent."""
import json

import pytest
from django.core.management import call_command

from conftest import CONTRIBUTION, USAGE
from mlcourse.models import Contribution, Exchange, Participant, Rating, Reflection, Review
from mlcourse.services import get_state, rate_review, submit_reflection
from mlcourse.signals import connect_platform_signals
from test_services import actor, config, join, review_all

pytestmark = pytest.mark.django_db


def finished_pair(cfg):
    join(cfg, "joao", "BR")
    join(cfg, "helen", "GB", minutes=1)
    review_all(cfg, "joao")
    review_all(cfg, "helen")
    for name in ("joao", "helen"):
        received = get_state(cfg, actor(name))["reviews_received"][0]["id"]
        rate_review(cfg, actor(name), {"review": received, "helpfulness": 4, "note": f"thanks from {name}"})
        submit_reflection(cfg, actor(name), {"text": f"reflection of {name}"})


def test_retirement_erases_personal_data_and_keeps_the_exchange():
    cfg = config()
    finished_pair(cfg)
    call_command("mlcourse_retire_user", "joao")
    assert not Participant.objects.filter(learner_id="joao").exists()
    retired = Participant.objects.get(learner_id__startswith="retired:")
    assert (retired.display_name, retired.languages, retired.time_zone) == ("", [], "")
    assert Contribution.objects.get(participant=retired).text == ""
    given = Review.objects.get(reviewer=retired)
    assert (given.learned, given.suggestion) == ("", "") and given.answers == {"q1": 4}
    assert Rating.objects.get(review__reviewee=retired).note == ""
    assert Reflection.objects.get(participant=retired).text == ""
    helen = get_state(cfg, actor("helen"))
    assert helen["phase"] == "done" and Exchange.objects.count() == 1
    partner = next(m for m in helen["exchange"]["members"] if not m["is_me"])
    assert partner["name"] == "" and partner["country"] == "BR"
    assert helen["reviews_received"][0]["answers"] == {"q1": 4}
    assert "thanks from helen" in json.dumps(helen)  # Helen's own words stay hers
    assert "joao" not in json.dumps(helen).lower()


def test_retiring_a_waiting_learner_takes_them_out_of_the_pool():
    cfg = config()
    join(cfg, "sadia", "PK")
    call_command("mlcourse_retire_user", "sadia")
    assert join(cfg, "amina", "NG", minutes=1)["phase"] == "waiting"


def test_platform_signal_is_not_connected_outside_open_edx():
    assert connect_platform_signals() is False


def test_learner_downloads_their_own_data(learner, client):
    ana = learner("ana")
    ana.ok("save_context", {"country": "BR", "organisation_type": "research", "time_zone": "America/Recife"})
    ana.ok("submit_contribution", {"text": CONTRIBUTION})
    response = client.get(f"/handler/{USAGE}/download_my_data/?student=ana")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["participant"]["time_zone"] == "America/Recife"
    assert data["state"]["contribution"]["text"] == CONTRIBUTION
    other = client.get(f"/handler/{USAGE}/download_my_data/?student=bilal")
    assert json.loads(other.content)["participant"] is None


def test_mobile_user_state_handler(learner, client):
    learner("ana").ok("save_context", {"country": "BR", "organisation_type": "research"})
    response = client.get(f"/handler/{USAGE}/student_view_user_state/?student=ana")
    assert response.status_code == 200 and json.loads(response.content)["phase"] == "contribute"


def test_retirement_unlinks_evidence_check_answers():
    from django.utils import timezone

    from mlcourse.models import EvidenceResponse

    EvidenceResponse.objects.create(course_key="c", key="k", moment="before", learner_id="joao",
                                    answers={"s1": 3}, submitted=timezone.now())
    call_command("mlcourse_retire_user", "joao")
    row = EvidenceResponse.objects.get()
    assert row.learner_id.startswith("retired:") and row.answers == {"s1": 3}
