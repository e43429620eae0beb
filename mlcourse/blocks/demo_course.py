"""The workbench's one-course demo: the five placements of a small course on evidence in policymaking, in the
order a cohort meets them. The workbench lists scenarios by block class, so the co-design board (first in
that order) carries it; `mlcourse_seed_demo` seeds the placements with a cohort."""
from __future__ import annotations

COURSE_TITLE = "Demo course: evidence in policymaking, co-designed across countries"


def course_xml() -> str:
    from . import codesign_board_ui, evidence_check_ui, markdown_lesson_ui, peer_exchange_ui  # noqa: PLC0415

    before, after = (xml for _title, xml in evidence_check_ui.workbench_scenarios())
    lesson = markdown_lesson_ui.workbench_scenarios()[0][1]
    exchange = peer_exchange_ui.workbench_scenarios()[0][1]
    return "<vertical_demo>" + "".join((before, lesson, codesign_board_ui.board_xml(), exchange, after)) \
        + "</vertical_demo>"


def course_scenario() -> tuple[str, str]:
    return COURSE_TITLE, course_xml()


def course_usage(block_type: str, index: int = 0) -> str:
    """The workbench usage id of a placement in the demo course (the sdk names them after the title)."""
    from django.utils.text import slugify  # noqa: PLC0415

    return f"{slugify(COURSE_TITLE)}.{block_type}.d{index}.u0"
