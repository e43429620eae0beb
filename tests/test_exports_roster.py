"""Staff CSV exports and roster imports on a real database: headers, contents, privacy, formula safety, laziness,
query counts, and imports that write everything or nothing."""
import csv
import io
import math
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import CONTRIBUTION
from mlcourse.models import Activity, Contribution, Participant, StaffAction
from mlcourse.runtime import Actor
from mlcourse.services import (
    ActivityConfig,
    ApiError,
    Question,
    get_state,
    rate_review,
    save_context,
    submit_contribution,
    submit_reflection,
    submit_review,
)
from mlcourse.services.exports import TABLES, csv_lines, export_rows
from mlcourse.services.roster import import_roster

pytestmark = pytest.mark.django_db
RUBRIC = (Question("q1", "Clarity", "scale", True), Question("q2", "What could travel?", "text", False))
T0 = timezone.now() - timedelta(days=10)
STAFF = Actor(learner_id="staff-1", display_name="Staff Person", is_staff=True)
LEARNER = Actor(learner_id="anon-kwame", display_name="kwame_user")
# Display names never used as ids or texts, so any occurrence in an export is a leak.
NAMES = {"kwame": "kwame_user", "joao": "joao_user", "li": "li_user", "maria": "maria_user"}


def config(**overrides):
    base = dict(course_key="course-v1:IDS+ML+2026", usage_key="block-x", rubric=RUBRIC, min_words=10, max_words=200)
    base.update(overrides)
    return ActivityConfig(**base)


def actor(name):
    return Actor(learner_id=f"anon-{name}", display_name=NAMES[name])


def context(cfg, name, country, minutes=0):
    save_context(cfg, actor(name), {"country": country, "organisation_type": "research", "languages": ["en", "fr"],
                                    "time_zone": "Africa/Accra"}, now=T0 + timedelta(minutes=minutes))


def contribute(cfg, name, minutes=0):
    return submit_contribution(cfg, actor(name), {"text": CONTRIBUTION}, now=T0 + timedelta(minutes=minutes))


def review(cfg, name, learned="Budgets need price data.", suggestion="Survey traders.", minutes=30):
    state = get_state(cfg, actor(name), now=T0 + timedelta(minutes=minutes))
    for member_id in state["reviews_pending"]:
        submit_review(cfg, actor(name), {"reviewee": member_id, "answers": {"q1": 4, "q2": "Price monitoring"},
                                         "learned": learned, "suggestion": suggestion},
                      now=T0 + timedelta(minutes=minutes))


def rate(cfg, name, note):
    for received in get_state(cfg, actor(name))["reviews_received"]:
        rate_review(cfg, actor(name), {"review": received["id"], "helpfulness": 5, "note": note})


def cohort(cfg):
    """Kwame (GH) and Joao (BR) finish an exchange half-way or fully; Li (CN) waits; Maria only gave her context."""
    context(cfg, "kwame", "GH")
    contribute(cfg, "kwame")
    context(cfg, "joao", "BR", minutes=1)
    contribute(cfg, "joao", minutes=1)
    context(cfg, "li", "CN", minutes=2)
    contribute(cfg, "li", minutes=2)
    context(cfg, "maria", "MX", minutes=3)
    review(cfg, "kwame", learned="-2", suggestion="@SUM(A1)")
    review(cfg, "joao")
    rate(cfg, "joao", note="+1")
    rate(cfg, "kwame", note="Thanks")
    submit_reflection(cfg, actor("joao"), {"text": '=HYPERLINK("http://x")'})


def table(cfg, name, usernames=False, who=STAFF):
    """Export through the real byte stream and parse it back as a spreadsheet would."""
    filename, rows = export_rows(cfg, who, name, usernames)
    data = b"".join(csv_lines(rows))
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    return filename, list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def snapshot():
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in (Activity, Participant, StaffAction)}


def test_every_table_exports_its_header_and_rows():
    cfg = config()
    cohort(cfg)
    import_roster(cfg, STAFF, "username,country,organisation_type\nnewcomer,KE,other\n", lambda u: f"anon-{u}")
    expected = {
        "participants": (["learner_id", "country", "organisation_type", "languages", "time_zone", "contributed",
                          "word_count", "waiting_since", "exchange_id", "reviews_given", "reviews_received",
                          "reflection", "submission_due", "review_due"], 5),
        "exchanges": (["exchange_id", "status", "reasons", "created", "closed", "members", "countries", "left"], 1),
        "reviews": (["review_id", "exchange_id", "reviewer", "reviewee", "reviewer_country", "reviewee_country",
                     "submitted", "Clarity", "What could travel?", "other_answers", "learned", "suggestion",
                     "hidden_reason", "helpfulness"], 2),
        "ratings": (["review_id", "reviewer", "reviewee", "helpfulness", "note", "submitted"], 2),
        "reflections": (["learner_id", "country", "exchange_id", "text", "submitted"], 1),
        "staff_actions": (["created", "actor_id", "action", "payload"], 1),
    }
    assert set(expected) == set(TABLES)
    for name, (header, count) in expected.items():
        filename, rows = table(cfg, name)
        assert filename == f"peer-exchange-{name.replace('_', '-')}.csv" and " " not in filename
        assert rows[0] == header, name
        assert len(rows) == count + 1, name

    people = {r[0]: dict(zip(expected["participants"][0], r)) for r in table(cfg, "participants")[1][1:]}
    joao, li, maria = people["anon-joao"], people["anon-li"], people["anon-maria"]
    assert joao["country"] == "BR" and joao["languages"] == "en fr" and joao["contributed"] == "yes"
    assert (joao["reviews_given"], joao["reviews_received"], joao["reflection"]) == ("1", "1", "yes")
    assert joao["exchange_id"] == people["anon-kwame"]["exchange_id"] != ""
    assert li["waiting_since"].startswith(str(T0.date())) and li["exchange_id"] == ""
    assert (maria["contributed"], maria["word_count"], maria["reviews_given"]) == ("no", "", "0")
    assert people["anon-newcomer"]["country"] == "KE"

    exchange = table(cfg, "exchanges")[1][1]
    assert exchange[1] == "open" and exchange[2] == "cross_country"
    assert set(zip(exchange[5].split(), exchange[6].split())) == {("anon-kwame", "GH"), ("anon-joao", "BR")}
    assert exchange[7] == ""

    reviews = [dict(zip(expected["reviews"][0], r)) for r in table(cfg, "reviews")[1][1:]]
    assert {(r["reviewer"], r["reviewee"]) for r in reviews} == {("anon-kwame", "anon-joao"),
                                                                 ("anon-joao", "anon-kwame")}
    for r in reviews:
        assert (r["Clarity"], r["What could travel?"], r["other_answers"], r["helpfulness"]) == \
            ("4", "Price monitoring", "", "5")
    staff = table(cfg, "staff_actions")[1][1]
    assert staff[1:3] == ["staff-1", "import_roster"] and '"created": 1' in staff[3]


def test_reviews_follow_the_current_rubric_and_keep_removed_answers():
    cfg = config()
    cohort(cfg)
    edited = config(rubric=(Question("q1", "Clarity of the problem", "scale", True),
                            Question("q3", "New question", "text", False)))
    rows = table(edited, "reviews")[1]
    header = rows[0]
    assert header[7:10] == ["Clarity of the problem", "New question", "other_answers"]
    for row in rows[1:]:
        assert row[7:10] == ["4", "", '{"q2": "Price monitoring"}']


def test_display_names_only_when_asked():
    cfg = config()
    cohort(cfg)
    for name in TABLES:
        cells = [cell for row in table(cfg, name)[1] for cell in row]
        leaked = [cell for cell in cells for display in NAMES.values() if display in cell]
        assert leaked == [], name
    rows = table(cfg, "participants", usernames=True)[1]
    assert rows[0][:2] == ["learner_id", "username"]
    assert {(r[0], r[1]) for r in rows[1:]} == {(f"anon-{k}", v) for k, v in NAMES.items()}
    exchange = table(cfg, "exchanges", usernames=True)[1]
    assert exchange[0][6] == "usernames" and sorted(exchange[1][6].split()) == ["joao_user", "kwame_user"]
    reviews = table(cfg, "reviews", usernames=True)[1]
    assert reviews[0][4:6] == ["reviewer_username", "reviewee_username"]
    assert {tuple(r[4:6]) for r in reviews[1:]} == {("kwame_user", "joao_user"), ("joao_user", "kwame_user")}
    assert table(cfg, "ratings", usernames=True)[1][0][3:5] == ["reviewer_username", "reviewee_username"]
    reflection = table(cfg, "reflections", usernames=True)[1]
    assert reflection[0][1] == "username" and reflection[1][:2] == ["anon-joao", "joao_user"]


def test_formulas_are_neutralised():
    cfg = config()
    cohort(cfg)
    reflection = table(cfg, "reflections")[1][1]
    assert reflection[3] == "'=HYPERLINK(\"http://x\")"
    reviews = [r for r in table(cfg, "reviews")[1][1:] if r[2] == "anon-kwame"]
    assert reviews[0][10:12] == ["'-2", "'@SUM(A1)"]
    notes = {r[4] for r in table(cfg, "ratings")[1][1:]}
    assert notes == {"'+1", "Thanks"}
    lines = b"".join(csv_lines([["\tx", "\ry", "ok", 3, None, "a=b"]])).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(lines, newline=""))) == ["'\tx", "'\ry", "ok", "3", "", "a=b"]
    assert b"".join(csv_lines([])) == b"\xef\xbb\xbf"


def populate(size):
    activity = Activity.objects.create(course_key="course-v1:IDS+ML+2026", usage_key=f"block-{size}")
    now = timezone.now()
    people = Participant.objects.bulk_create([
        Participant(activity=activity, learner_id=f"seed{i}", display_name=f"Seed {i}", country="GH",
                    organisation_type="other", languages=["en"]) for i in range(size)])
    Contribution.objects.bulk_create([Contribution(participant=p, text="x", word_count=50, submitted=now)
                                      for p in people[::2]])
    return config(usage_key=f"block-{size}")


def test_exports_are_lazy_and_their_query_count_does_not_grow():
    counts = {}
    for size in (20, 2000):
        cfg = populate(size)
        with CaptureQueriesContext(connection) as whole:
            filename, rows = export_rows(cfg, STAFF, "participants")
            with CaptureQueriesContext(connection) as first:
                header, row = next(rows), next(rows)
            assert header[0] == "learner_id" and row[0] == "seed0" and row[5:7] == ["yes", 50]
            assert len(first) == 1  # the data query runs only when the first data row is wanted
            assert sum(1 for _ in rows) == size - 1
        counts[size] = len(whole)
        assert counts[size] <= 3, whole.captured_queries
        for name in TABLES:
            with CaptureQueriesContext(connection) as other:
                assert sum(1 for _ in export_rows(cfg, STAFF, name)[1]) >= 1
            assert len(other) <= 3, (name, other.captured_queries)
    assert counts[20] == counts[2000], counts


def test_staff_only_and_unknown_tables():
    cfg = config()
    cohort(cfg)
    before = snapshot()
    for who in (LEARNER, Actor(learner_id=None)):
        with pytest.raises(ApiError) as err:
            export_rows(cfg, who, "participants")
        assert err.value.code == "forbidden" and err.value.status == 403
        with pytest.raises(ApiError) as err:
            import_roster(cfg, who, "anonymous_id,country,organisation_type\nanon-maria,FR,other\n", str)
        assert err.value.code == "forbidden" and err.value.status == 403
    assert snapshot() == before
    with pytest.raises(ApiError) as err:
        export_rows(cfg, STAFF, "users")
    assert err.value.code == "unknown_table" and err.value.status == 400


def test_exports_of_an_activity_nobody_joined_have_headers_only():
    for name in TABLES:
        rows = table(config(usage_key="nobody"), name)[1]
        assert len(rows) == 1 and rows[0]
    assert not Activity.objects.filter(usage_key="nobody").exists()


def test_roster_creates_and_updates_participants():
    cfg = config()
    context(cfg, "maria", "MX")  # has a context and a name, no partner: may be updated, keeps her name
    Participant.objects.create(activity=Activity.objects.get(), learner_id="anon-nameless", country="FR",
                               organisation_type="other")
    csv_text = ("\ufeffUserName ; Anonymous_ID;COUNTRY;Organisation_Type;Notes\r\n"
                "alice;;gh;research;first\r\n"
                ";anon-bob;BR;civil_society;\r\n"
                "\r\n"
                "maria;;ke;parliament;\r\n"
                "nameless;anon-nameless;de;international;\r\n")
    users = {"alice": "anon-alice", "maria": "anon-maria"}
    result = import_roster(cfg, STAFF, csv_text, users.get, now=T0)
    assert result == {"imported": 4, "created": 2, "updated": 2, "unchanged": 0}
    people = {p.learner_id: p for p in Participant.objects.all()}
    assert (people["anon-alice"].country, people["anon-alice"].organisation_type,
            people["anon-alice"].display_name) == ("GH", "research", "alice")
    assert (people["anon-bob"].country, people["anon-bob"].display_name) == ("BR", "")
    assert (people["anon-maria"].country, people["anon-maria"].organisation_type,
            people["anon-maria"].display_name) == ("KE", "parliament", "maria_user")
    assert (people["anon-nameless"].country, people["anon-nameless"].display_name) == ("DE", "nameless")
    action = StaffAction.objects.get()
    assert (action.action, action.actor_id, action.payload, action.created) == \
        ("import_roster", "staff-1", {"rows": 4, "created": 2, "updated": 2}, T0)
    # The same file again changes nothing but is still audited.
    again = import_roster(cfg, STAFF, csv_text, users.get, now=T0)
    assert again == {"imported": 4, "created": 0, "updated": 0, "unchanged": 4}
    assert StaffAction.objects.count() == 2


def test_roster_with_bad_rows_reports_each_line_and_writes_nothing():
    cfg = config()
    context(cfg, "maria", "MX")
    before = snapshot()
    csv_text = ("username,country,organisation_type\n"
                "maria,FR,other\n"
                "ghost,GH,research\n"  # unknown user
                "\n"
                "alice,Ghana,research\n"  # a country name, not a code
                "bob,BR,ministry\n"  # not an organisation type
                "alice2,ZZ,parliament\n")  # not a country
    users = {"maria": "anon-maria", "alice": "anon-alice", "bob": "anon-bob", "alice2": "anon-alice2"}
    with pytest.raises(ApiError) as err:
        import_roster(cfg, STAFF, csv_text, users.get)
    assert err.value.code == "roster_invalid" and err.value.status == 400 and err.value.params == {"count": 4}
    assert [(e["line"], e["code"]) for e in err.value.details["errors"]] == [
        (3, "unknown_user"), (5, "invalid_country"), (6, "invalid_organisation_type"), (7, "invalid_country")]
    assert all(e["error"] and "%(" not in (e["error"] % e["params"] if e["params"] else e["error"])
               for e in err.value.details["errors"])
    assert snapshot() == before

    # Without any activity yet, a bad file does not even create the activity.
    with pytest.raises(ApiError):
        import_roster(config(usage_key="fresh"), STAFF, csv_text, users.get)
    assert snapshot() == before


@pytest.mark.parametrize("csv_text, code", [
    ("country,organisation_type\nGH,other\n", "missing_column"),
    ("username,country\nmaria,GH\n", "missing_column"),
    ("username,country,organisation_type\nmaria,GH,other\nmaria,BR,other\n", "duplicate_learner"),
    ("username,anonymous_id,country,organisation_type\n,,GH,other\n", "missing_id"),
    ("anonymous_id,country,organisation_type\n" + "x" * 256 + ",GH,other\n", "invalid_id"),
    ('anonymous_id,country,organisation_type\n"a\x07b",GH,other\n', "invalid_id"),
])
def test_roster_structure_errors(csv_text, code):
    before = snapshot()
    with pytest.raises(ApiError) as err:
        import_roster(config(), STAFF, csv_text, lambda u: f"anon-{u}")
    assert err.value.code == "roster_invalid" and err.value.details["errors"][-1]["code"] == code
    assert snapshot() == before


@pytest.mark.parametrize("csv_text, code", [
    (None, "invalid_type"),
    ("x" * 2_000_001, "roster_too_large"),
    ("", "roster_empty"),
    ("username,country,organisation_type\r\n\r\n", "roster_empty"),
    ("username;country;organisation_type\r\n", "roster_empty"),
    ("anonymous_id,country,organisation_type\n" + "".join(f"a{i},GH,other\n" for i in range(20_001)),
     "roster_too_many_rows"),
])
def test_roster_size_limits(csv_text, code):
    with pytest.raises(ApiError) as err:
        import_roster(config(), STAFF, csv_text, str)
    assert err.value.code == code and err.value.status == 400
    assert not Participant.objects.exists()


def test_roster_cannot_change_a_waiting_or_paired_learner():
    cfg = config()
    cohort(cfg)  # Li waits, Kwame and Joao are paired
    before = snapshot()
    with pytest.raises(ApiError) as err:
        import_roster(cfg, STAFF, "anonymous_id;country;organisation_type\nanon-li;FR;research\n"
                                  "anon-kwame;GH;other\nanon-maria;FR;other\n", str)
    assert [(e["line"], e["code"]) for e in err.value.details["errors"]] == [(2, "context_locked"),
                                                                             (3, "context_locked")]
    assert snapshot() == before
    # Repeating their context unchanged is fine: they are left alone.
    result = import_roster(cfg, STAFF, "anonymous_id;country;organisation_type\nanon-li;CN;research\n"
                                       "anon-maria;FR;other\n", str)
    assert result == {"imported": 2, "created": 0, "updated": 1, "unchanged": 1}
    assert Participant.objects.get(learner_id="anon-maria").country == "FR"


def test_large_roster_imports_in_a_bounded_number_of_queries():
    cfg = config()
    size = 10_000
    context(cfg, "maria", "MX")
    existing = [Participant(activity=Activity.objects.get(), learner_id=f"anon-{i}") for i in range(0, size, 10)]
    Participant.objects.bulk_create(existing)
    csv_text = "username,country,organisation_type\n" + "".join(f"user{i},GH,research\n" for i in range(size))
    with CaptureQueriesContext(connection) as ctx:
        result = import_roster(cfg, STAFF, csv_text, lambda u: f"anon-{u[4:]}")
    assert result == {"imported": size, "created": size - len(existing), "updated": len(existing), "unchanged": 0}
    assert Participant.objects.filter(country="GH", organisation_type="research").count() == size
    statements = [q["sql"] for q in ctx.captured_queries]
    inserts = [s for s in statements if s.startswith("INSERT") and "mlcourse_participant" in s]
    updates = [s for s in statements if s.startswith("UPDATE") and "mlcourse_participant" in s]
    selects = [s for s in statements if s.startswith("SELECT")]
    assert len(selects) <= 2  # the activity, and the existing participants in one query
    fixed = len(statements) - len(inserts) - len(updates)
    assert fixed <= 6, statements[:10]  # selects, lock, audit row, savepoint/release
    # One INSERT and one UPDATE each, unless the backend caps the parameters of a statement (SQLite: 999 in
    # Django 5.2), where Django splits them into its own fixed-size batches.
    insert_batch = connection.ops.bulk_batch_size([f for f in Participant._meta.concrete_fields if not f.primary_key],
                                                  existing)
    meta = Participant._meta
    update_fields = [meta.pk, meta.pk, *(meta.get_field(n) for n in ("display_name", "country", "organisation_type",
                                                                      "modified"))]
    update_batch = connection.ops.bulk_batch_size(update_fields, existing)
    assert len(inserts) == math.ceil((size - len(existing)) / insert_batch)
    assert len(updates) == math.ceil(len(existing) / update_batch)
    if connection.features.max_query_params is None:
        assert len(statements) <= 10
    print(f"roster 10,000 rows: {len(statements)} statements ({len(selects)} selects, {len(inserts)} inserts, "
          f"{len(updates)} updates)")


def test_roster_lines_count_physical_lines_of_the_file():
    csv_text = ('anonymous_id,notes,country,organisation_type\n'
                'anon-a,"two\nlines, and a comma",GH,other\n'
                'anon-b,,XX,other\n')
    with pytest.raises(ApiError) as err:
        import_roster(config(), STAFF, csv_text, str)
    assert [(e["line"], e["code"]) for e in err.value.details["errors"]] == [(4, "invalid_country")]
    assert not Participant.objects.exists()
