"""OLX export/import keeps every authored setting; migrations match the models."""
import io
from datetime import datetime, timezone

import pytest
from django.core.management import call_command
from lxml import etree
from workbench.runtime import WorkbenchRuntime

from mlcourse.blocks.peer_exchange_ui import EDITABLE_FIELDS

pytestmark = pytest.mark.django_db

SETTINGS = {
    "display_name": "Exchange: health councils", "prompt": "Describe **one** decision.\n\n- evidence\n- gaps",
    "rubric": [{"id": "clarity", "label": "Clear & concrete? <yes>", "type": "scale", "required": True},
               {"id": "travel", "label": "What travels?", "type": "text", "required": False}],
    "partner_rule": "different_country_preferred", "allow_triads": True, "fallback_window_hours": 12.5,
    "review_window_hours": 36.0, "min_words": 20, "max_words": 300,
    "submission_due": datetime(2027, 1, 15, 12, 0, tzinfo=timezone.utc),
    "review_due": datetime(2027, 1, 30, 18, 30, tzinfo=timezone.utc), "anonymous": True,
    "weight_contribution": 0.25, "weight_reviews": 0.5, "weight_reflection": 0.25,
}


def export(runtime, block):
    out = io.BytesIO()
    runtime.export_to_xml(block, out)
    return out.getvalue().decode("utf-8")


def test_every_setting_round_trips_through_olx():
    assert set(SETTINGS) == set(EDITABLE_FIELDS)
    runtime = WorkbenchRuntime("staff")
    runtime.id_generator.set_scenario("olx-test")
    block = runtime.get_block(runtime.parse_xml_string("<peer_exchange/>"))
    for name, value in SETTINGS.items():
        setattr(block, name, value)
    block.save()
    olx = export(runtime, block)
    root = etree.fromstring(olx.encode("utf-8"))
    assert root.tag == "peer_exchange"
    runtime.id_generator.set_scenario("olx-test-2")
    again = runtime.get_block(runtime.parse_xml_string(olx.encode("utf-8")))
    for name, value in SETTINGS.items():
        assert getattr(again, name) == value, name
    assert export(runtime, again) == olx


def test_migrations_match_the_models():
    call_command("makemigrations", "mlcourse", "--check", "--dry-run", verbosity=0)
