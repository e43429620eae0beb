"""Seed the workbench demo: learners from five countries at every step of the peer exchange (in the one-course
demo and in the exchange's own scenario), their self-assessments before and after the course, and the
co-design board's proposals and votes, one of them adopted into the course.

Safe to run again: each part does nothing when its data is already there. Everything goes through the same
services the handlers use, so the seeded data obeys the same rules and constraints.
"""
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from mlcourse.blocks.peer_exchange_ui import DEFAULT_RUBRIC
from mlcourse.models import Participant
from mlcourse.runtime import Actor
from mlcourse.services import (
    ActivityConfig,
    Question,
    get_state,
    rate_review,
    save_context,
    submit_contribution,
    submit_reflection,
    submit_review,
)
from mlcourse.services.records import find_activity

from mlcourse.blocks.codesign_board_ui import DEFAULT_KINDS
from mlcourse.blocks.demo_course import course_usage
from mlcourse.blocks.evidence_check_ui import DEFAULT_STATEMENTS, SCENARIO_KEY
from mlcourse.services import board, evidence

DEMO_USAGE = "evidence-in-policymaking-peer-exchange.peer_exchange.d0.u0"
BOARD_USAGES = (course_usage("codesign_board"), "co-design-board-propose-and-vote.codesign_board.d0.u0")
# Before and after the course (1 never ... 5 always), per statement of the default self-assessment.
EVIDENCE = {
    "joao": ((2, 2, 1, 4, 2), (4, 3, 4, 5, 3)),
    "helen": ((4, 2, 2, 2, 3), (4, 4, 4, 4, 4)),
    "amina": ((3, 2, 2, 3, 2), None),
    "li_wei": ((4, 3, 3, 2, 3), None),
    "sadia": ((2, 3, 2, 4, 2), None),
    "bilal": ((3, 2, 2, 2, 3), None),
}
PROPOSALS = [
    # (author, kind, title, description)
    ("amina", "challenge", "Funding formulas that miss rural need",
     "Our clinic data count visits, not need. How do other countries bring distance and travel time into health "
     "funding formulas when the poorest wards are the ones that visit least?"),
    ("joao", "case", "Participatory budgeting with costs on the table",
     "In Minas Gerais residents bring their own evidence to budget assemblies. We learned the hard way to bring "
     "rough costs per household before the vote. Happy to share what we changed."),
    ("li_wei", "case", "Hearing from the families who do not use a service",
     "Our elderly-care pilot measured users well and non-users not at all. A case on interviewing non-users, and "
     "what it changed in the decision to scale."),
    ("helen", "topic", "Evaluation when budgets and timelines are tight",
     "Planning an evaluation while a policy is designed sounds right; what is the smallest version that still "
     "informs the next decision?"),
    ("sadia", "challenge", "Rules that providers work around",
     "Private schools raised admission fees when we made fee increases public. How can evidence from other "
     "countries help us anticipate how providers respond to a new rule?"),
]
VOTES = {"helen": ["joao", "amina", "li_wei"], "amina": ["joao", "sadia"], "li_wei": ["helen", "joao"],
         "sadia": ["li_wei", "amina"], "bilal": ["amina", "sadia", "helen"], "joao": ["helen"]}
ADOPTED = ("joao", "This is now the case study of week 2, taught with colleagues from Minas Gerais and "
                   "the United Kingdom.")

LEARNERS = {
    # id: (country, organisation type, languages, time zone, contribution)
    "amina": ("NG", "subnational_government", ["en", "ha"], "Africa/Lagos",
              "In Kano State we decided to move primary health care funding to a per-capita formula. The decision "
              "used the national household survey and our own clinic attendance records. What was missing was any "
              "evidence on travel times: rural wards with few clinics lost money because their attendance was low, "
              "not because their need was. A simple mapping of distance to the nearest clinic, which a university "
              "team offered us, would have shown that and we would have weighted the formula differently."),
    "li_wei": ("CN", "research", ["zh", "en"], "Asia/Shanghai",
               "Our city government piloted community elderly-care stations before scaling them citywide. The pilot "
               "had a careful monitoring system: usage data, satisfaction surveys and cost per visit. The decision "
               "to scale used all of it. What was missing was evidence from the families who did not use the "
               "stations; we only heard from users. Interviews with non-users, which colleagues in Brazil have used "
               "for health councils, would have told us why the poorest neighbourhoods stayed away."),
    "sadia": ("PK", "civil_society", ["ur", "en"], "Asia/Karachi",
              "In Punjab, our network pushed for a public register of school fee increases in private schools. The "
              "provincial assembly used parents' complaints we collected and a comparison of fees over five years. "
              "What was missing was evidence on how schools would respond: several raised admission fees instead, "
              "which the register did not cover. Looking at how other countries regulated fees, and what schools did "
              "there, would have helped us draft a stronger rule from the start."),
    "joao": ("BR", "subnational_government", ["pt", "es", "en"], "America/Sao_Paulo",
             "Our municipality in Minas Gerais decided which neighbourhoods would receive new basic sanitation works "
             "through participatory budgeting assemblies. Residents brought their own evidence — photos, lists of "
             "flooded streets — and we added the census and health data on diarrhoeal disease. What was missing was "
             "a cost estimate per household before the vote, so two projects were approved that we could not "
             "afford. Next time the engineers will bring rough costs to the assemblies."),
    "bilal": ("PK", "national_government", ["ur", "en", "pa"], "Asia/Karachi",
              "The federal government revised the targeting of cash transfers using a new poverty survey. The "
              "survey and a proxy means test informed who would receive support. What was missing was evidence "
              "on women without identity cards, who could not enrol even when eligible. Field reports from "
              "community health workers showed this, but they reached us only after the decision."),
    "helen": ("GB", "national_government", ["en", "fr"], "Europe/London",
              "In a UK department, we changed how employment support for young people is commissioned, moving to "
              "payment by results. We used a randomised trial from one region and administrative data on benefit "
              "claims. What was missing was evidence on young people who never claimed benefits and so never appeared "
              "in our data. Colleagues in Ghana and Brazil describe community-based outreach that counts exactly "
              "those people; we had no equivalent."),
}

REVIEW_ANSWERS = {"q1": 4, "q2": 5, "q3": "A public register or a mapping exercise like the one you describe."}
REFLECTIONS = {
    "joao": "Helen's team measured who never shows up in administrative data. I will ask our assemblies who is "
            "missing from the room, and bring that evidence before we vote.",
    "helen": "Joao's residents brought their own evidence to the decision. I will test citizens' panels in our "
             "commissioning, and publish rough costs before, not after, a programme is chosen.",
}
REVIEW = {
    "learned": "How {country} colleagues bring evidence from outside government into the decision itself.",
    "suggestion": "Say who could collect the missing evidence next time, and how long it would take.",
}


class Command(BaseCommand):
    help = "Seed the workbench demo: peer exchange cohort, evidence check answers, co-design board (idempotent)."

    def handle(self, *args, **options):
        for usage in (course_usage("peer_exchange"), DEMO_USAGE):
            self.seed_exchange(usage)
        self.seed_evidence()
        for usage in BOARD_USAGES:
            self.seed_board(usage)

    def seed_evidence(self):
        from mlcourse.models import EvidenceResponse  # noqa: PLC0415

        if EvidenceResponse.objects.filter(course_key="workbench", key=SCENARIO_KEY).exists():
            self.stdout.write("Evidence check answers already seeded.")
            return
        statements = tuple((s["id"], s["text"]) for s in DEFAULT_STATEMENTS)
        start = timezone.now() - timedelta(days=30)
        for name, moments in EVIDENCE.items():
            for moment, values in zip(("before", "after"), moments):
                if values is None:
                    continue
                config = evidence.EvidenceConfig(course_key="workbench", key=SCENARIO_KEY, moment=moment,
                                                 statements=statements)
                answers = {sid: value for (sid, _text), value in zip(statements, values)}
                evidence.submit(config, Actor(learner_id=name), {"answers": answers},
                                now=start + timedelta(days=0 if moment == "before" else 28))
        self.stdout.write(self.style.SUCCESS("Seeded the evidence check answers (before and after)."))

    def seed_board(self, usage):
        config = board.BoardConfig(course_key="workbench", usage_key=usage,
                                   kinds=tuple((k["id"], k["label"]) for k in DEFAULT_KINDS))
        activity = find_activity(config)
        if activity is not None and activity.board_items.exists():
            self.stdout.write("Co-design board already seeded.")
            return
        start = timezone.now() - timedelta(days=2)
        items = {}
        for minutes, (author, kind, title, description) in enumerate(PROPOSALS):
            items[author] = board.propose(config, Actor(learner_id=author), {
                "title": title, "description": description, "kind": kind},
                now=start + timedelta(minutes=37 * minutes))["item"]
        for voter, authors in VOTES.items():
            for author in authors:
                board.vote(config, Actor(learner_id=voter), {"item": items[author]})
        author, note = ADOPTED
        board.staff_adopt(config, Actor(learner_id="staff", is_staff=True), {"item": items[author], "note": note})
        self.stdout.write(self.style.SUCCESS("Seeded the co-design board."))

    def seed_exchange(self, usage):
        config = ActivityConfig(
            course_key="workbench", usage_key=usage, min_words=40, max_words=600,
            rubric=tuple(Question.from_dict(q) for q in DEFAULT_RUBRIC))
        activity = find_activity(config)
        if activity is not None and Participant.objects.filter(activity=activity).exists():
            self.stdout.write("Demo cohort already seeded.")
            return
        start = timezone.now() - timedelta(days=3)

        def actor(name):
            return Actor(learner_id=name, display_name=name.replace("_", " ").title())

        def join(name, minutes):
            country, org, langs, tz, text = LEARNERS[name]
            when = start + timedelta(minutes=minutes)
            save_context(config, actor(name), {"country": country, "organisation_type": org, "languages": langs,
                                               "time_zone": tz}, now=when)
            return submit_contribution(config, actor(name), {"text": text}, now=when)

        def review(name, state, minutes):
            for member in state["exchange"]["members"]:
                if not member["is_me"]:
                    answers = {"q1": 4, "q2": 5, "q3": "A register or a mapping exercise like this one."}
                    submit_review(config, actor(name), {
                        "reviewee": member["id"], "answers": answers,
                        "learned": REVIEW["learned"].format(country=member["country_name"]),
                        "suggestion": REVIEW["suggestion"]}, now=start + timedelta(minutes=minutes))

        def review_partners(name, minutes):
            when = start + timedelta(minutes=minutes)
            for member in get_state(config, actor(name), now=when)["exchange"]["members"]:
                if not member["is_me"]:
                    submit_review(config, actor(name), {
                        "reviewee": member["id"], "answers": dict(REVIEW_ANSWERS),
                        "learned": REVIEW["learned"].format(country=member["country_name"]),
                        "suggestion": REVIEW["suggestion"]}, now=when)

        def rate_and_reflect(name, minutes):
            when = start + timedelta(minutes=minutes)
            for received in get_state(config, actor(name), now=when)["reviews_received"]:
                rate_review(config, actor(name), {"review": received["id"], "helpfulness": 5,
                                                  "note": "Thank you: this changed how I see our own case."}, now=when)
            submit_reflection(config, actor(name), {"text": REFLECTIONS[name]}, now=when)

        # A finished exchange, Brazil <-> United Kingdom: both directions reviewed, rated and reflected on.
        join("joao", 0)
        join("helen", 10)
        review_partners("joao", 60)
        review_partners("helen", 90)
        rate_and_reflect("joao", 120)
        rate_and_reflect("helen", 130)
        # Mid-exchange, Nigeria <-> China: Amina has reviewed Li Wei; Li Wei has not reviewed yet.
        join("amina", 200)
        join("li_wei", 210)
        review_partners("amina", 300)
        # Waiting with submitted work: two learners from Pakistan (the rule keeps them apart), so a visitor
        # from any other country is paired at once.
        join("sadia", 400)
        join("bilal", 420)
        self.stdout.write(self.style.SUCCESS("Seeded the demo cohort."))
