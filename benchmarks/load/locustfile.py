"""200 simulated learners from five countries go through the peer exchange against the workbench.

Each learner: opens the scenario page (CSRF cookie), gives context, submits a contribution, polls `state`
until paired, reviews the partner, polls until the partner's review is visible, rates it and reflects.
"""
import itertools
import json
import random

from locust import HttpUser, between, task

USAGE = "evidence-in-policymaking-peer-exchange.peer_exchange.d0.u0"
COUNTRIES = ["BR", "PK", "NG", "GH", "CN"]
TEXT = ("In our ministry we revised a cash transfer programme using a household survey and an impact evaluation; "
        "what was missing was evidence on people without identity documents, who could not enrol. ") * 2
_ids = itertools.count()


class Learner(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.student = f"load{next(_ids)}-{random.randint(0, 10**9)}"
        self.client.get(f"/scenario/peer_exchange.0/?student={self.student}", name="/scenario (page)")
        self.headers = {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "Referer": self.host + "/",
                        "Content-Type": "application/json"}
        self.step = "context"

    def call(self, handler, payload=None):
        with self.client.post(f"/handler/{USAGE}/{handler}/?student={self.student}", name=handler,
                              data=json.dumps(payload or {}), headers=self.headers, catch_response=True) as r:
            if r.status_code >= 500:
                r.failure(f"{r.status_code}")
                return None
            if r.status_code >= 400:
                r.success()  # a clear refusal (e.g. a double click) is not a server failure
                return None
            return r.json()

    @task
    def advance(self):
        if self.step == "context":
            if self.call("save_context", {"country": random.choice(COUNTRIES), "organisation_type": "other"}):
                self.step = "contribute"
        elif self.step == "contribute":
            if self.call("submit_contribution", {"text": TEXT}):
                self.step = "match"
        elif self.step == "match":
            state = self.call("state")
            if state and state["phase"] == "review":
                for member_id in state["reviews_pending"]:
                    self.call("submit_review", {"reviewee": member_id, "answers": {"q1": 4, "q2": 4},
                                                "learned": "Evidence from outside government.",
                                                "suggestion": "Cost the options before the vote."})
                self.step = "feedback"
        elif self.step == "feedback":
            state = self.call("state")
            if state and state["reviews_received"]:
                for review in state["reviews_received"]:
                    if not review["rating"]:
                        self.call("rate_review", {"review": review["id"], "helpfulness": random.randint(3, 5)})
                if self.call("submit_reflection", {"text": "I will ask who is missing from our data."}):
                    self.step = "done"
        else:
            self.call("state")
