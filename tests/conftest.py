"""Shared fixtures: the real xblock-sdk runtime, a Django test client for handlers, and Chromium for Playwright."""
import json
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's sync API in one thread

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCENARIO = "peer_exchange.0"
USAGE = "evidence-in-policymaking-peer-exchange.peer_exchange.d0.u0"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def scenarios(db):
    """Load the workbench scenarios into the test database (the sdk keeps them in a module global)."""
    from workbench.runtime import ID_MANAGER
    from workbench.scenarios import init_scenarios

    ID_MANAGER.clear()  # usage ids stay `...d0.u0` however many tests load the scenarios
    init_scenarios()
    yield


class Learner:
    """Drives the peer exchange handlers through the workbench's real runtime as one `?student=` id."""

    def __init__(self, client, student, usage=USAGE):
        self.client, self.student, self.usage = client, student, usage

    def call(self, handler, payload=None, raw=None, method="post"):
        url = f"/handler/{self.usage}/{handler}/?student={self.student}"
        body = raw if raw is not None else json.dumps(payload if payload is not None else {})
        if method == "get":
            response = self.client.get(url)
        else:
            response = self.client.post(url, data=body, content_type="application/json")
        return response.status_code, json.loads(response.content or b"null")

    def ok(self, handler, payload=None):
        status, data = self.call(handler, payload)
        assert status == 200, (handler, status, data)
        return data


@pytest.fixture
def learner(client, scenarios):
    return lambda student: Learner(client, student)


CONTRIBUTION = ("Our ministry decided to extend school meals to two more regions, using an impact evaluation "
                "from the pilot districts and cost reports; what was missing was evidence on local food prices, "
                "which rose after the drought, so the budget per child was too small in the first year.")
