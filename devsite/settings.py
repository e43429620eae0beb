"""Workbench settings for `make dev`: the xblock-sdk workbench plus the mlcourse Django app.

The workbench has no notion of staff; `MLCOURSE_WORKBENCH_STAFF_IDS` names the `?student=` ids that act as
course staff here. In the LMS the platform's user service says who is staff.
"""
import os
from pathlib import Path

from workbench.settings import *  # noqa: F401,F403
from workbench.settings import INSTALLED_APPS, MIDDLEWARE, WORKBENCH

REPO = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("MLCOURSE_VAR", REPO / "var"))
VAR.mkdir(parents=True, exist_ok=True)

INSTALLED_APPS = [*INSTALLED_APPS, "mlcourse.apps.MlcourseConfig"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR / "workbench.db"),
        # Writers wait for each other instead of failing at once with "database is locked".
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}

# Only our blocks in the demo: the sdk's sample blocks clutter the scenario list.
EXCLUDED_XBLOCKS = {
    "allscopes_demo", "attempts_scoreboard_demo", "equality_demo", "filethumbs", "helloworld_demo",
    "html_demo", "problem_demo", "sidebar_demo", "slider_demo", "textinput_demo", "thumbs",
    "view_counter_demo",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"file": {"class": "logging.FileHandler", "filename": str(VAR / "workbench.log")}},
    "loggers": {"django.request": {"handlers": ["file"], "level": "ERROR"}},
}

LANGUAGES = [("en", "English"), ("pt-br", "Português (Brasil)"), ("es", "Español"), ("fr", "Français"),
             ("ur", "اردو"), ("zh-hans", "简体中文")]
MIDDLEWARE = [*MIDDLEWARE, "devsite.middleware.LanguageFromQuery"]

TIME_ZONE = "UTC"
LANGUAGE_CODE = os.environ.get("MLCOURSE_LANGUAGE", "en")
MLCOURSE_WORKBENCH_STAFF_IDS = {"staff"}
WORKBENCH = {**WORKBENCH, "reset_state_on_restart": False}
