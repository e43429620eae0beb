"""Seed the workbench demo cohort: learners from five countries at every step of the exchange.

Safe to run again: it does nothing when the demo activity already has participants. Everything goes through
the same services the handlers use, so the seeded data obeys the same rules and constraints.
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

DEMO_USAGE = "evidence-in-policymaking-peer-exchange.peer_exchange.d0.u0"

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
    help = "Seed the peer exchange demo cohort in the workbench database (idempotent)."

    def handle(self, *args, **options):
        config = ActivityConfig(
            course_key="workbench", usage_key=DEMO_USAGE, min_words=40, max_words=600,
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
