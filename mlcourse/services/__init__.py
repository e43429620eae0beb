"""All database work of the peer exchange: transactions, locks and permission checks. No XBlock imports.

Blocks call these functions with an `Actor` (from `mlcourse.runtime`) and an `ActivityConfig` (the authored
settings); every function returns the learner's new state or raises `ApiError`, having written nothing.
"""
from .config import ActivityConfig, Question  # noqa: F401
from .errors import ApiError  # noqa: F401
from .exchange import (  # noqa: F401
    rate_review,
    request_new_partner,
    save_context,
    submit_contribution,
    submit_reflection,
    submit_review,
)
from .state import get_state  # noqa: F401
