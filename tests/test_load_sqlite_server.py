"""200 learners through a real multi-threaded server on SQLite: zero 5xx, every invariant kept.

pytest-django's `live_server` serves the workbench from a thread per request, each with its own connection to
the test database file. SQLite has one writer at a time: the settings' `transaction_mode=IMMEDIATE` and
`timeout` make writers queue for the lock instead of failing with "database is locked". The MariaDB counterpart
(the workbench runtime without HTTP) is tests/test_concurrency_mariadb.py.
"""
import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import pytest

from conftest import CONTRIBUTION, SCENARIO, USAGE
from mlcourse.models import Activity
from test_concurrency_mariadb import assert_cohort_invariants, context

pytestmark = [
    pytest.mark.skipif(os.environ.get("MLCOURSE_TEST_DB") == "mysql", reason="SQLite only (the default run)"),
    pytest.mark.django_db(transaction=True),
]

LEARNERS = 200
WORKERS = 12
TIMEOUT = 60  # seconds per request; SQLite's lock timeout is 20 s


@pytest.fixture
def live_scenarios(transactional_db):
    from workbench.runtime import ID_MANAGER
    from workbench.scenarios import init_scenarios

    ID_MANAGER.clear()
    init_scenarios()


class Client:
    """Plain urllib against the live server, with the CSRF cookie the scenario page sets."""

    def __init__(self, base):
        self.base = base
        with urllib.request.urlopen(f"{base}/scenario/{SCENARIO}/?student=csrf-probe", timeout=TIMEOUT) as page:
            assert page.status == 200
            cookie = SimpleCookie()
            for header in page.headers.get_all("Set-Cookie"):
                cookie.load(header)
        self.token = cookie["csrftoken"].value

    def post(self, student, handler, payload):
        request = urllib.request.Request(
            f"{self.base}/handler/{USAGE}/{handler}/?student={student}", method="POST",
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.token,
                     "Cookie": f"csrftoken={self.token}", "Referer": f"{self.base}/"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            with error:
                body = error.read()
            try:
                return error.code, json.loads(body or b"null")
            except ValueError:
                return error.code, body[:300].decode("utf-8", "replace")


def test_200_learners_through_a_threaded_server_get_no_5xx(live_server, live_scenarios):
    client = Client(live_server.url)
    status, _ = client.post("warm-up", "state", {})  # the sdk's settings rows exist before the storm (see notes)
    assert status == 200
    barrier = threading.Barrier(WORKERS)

    def worker(w):
        mine = range(w, LEARNERS, WORKERS)
        results = [("save_context", i, *client.post(f"s{i}", "save_context", context(i))) for i in mine]
        barrier.wait(timeout=TIMEOUT)  # every worker submits its first contribution at the same moment
        results += [("submit_contribution", i, *client.post(f"s{i}", "submit_contribution", {"text": CONTRIBUTION}))
                    for i in mine]
        return results

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = [r for rs in pool.map(worker, range(WORKERS)) for r in rs]
    elapsed = time.monotonic() - started

    assert len(results) == 2 * LEARNERS
    statuses = Counter(status for _, _, status, _ in results)
    assert not [r for r in results if r[2] >= 500], [r for r in results if r[2] >= 500][:5]
    assert statuses == {200: 2 * LEARNERS}, [r for r in results if r[2] != 200][:5]
    activity = Activity.objects.get(usage_key=USAGE)
    pairs, waiting = assert_cohort_invariants(activity, LEARNERS)
    assert 2 * pairs + waiting == LEARNERS and waiting >= 20  # Brazil's 110 outnumber the other 90
    assert elapsed < 60, f"{2 * LEARNERS} requests took {elapsed:.1f} s"
