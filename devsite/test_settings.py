"""Settings for the test suite: the workbench settings on a throwaway database.

`MLCOURSE_TEST_DB=mysql` switches to the throwaway MariaDB that `make test` starts for concurrency tests.
"""
import os

from devsite.settings import *  # noqa: F401,F403
from devsite.settings import DATABASES, VAR

# A file (threads and the live server need a shared database), one per test process so parallel runs in
# one checkout never meet; pytest-django deletes it at the end.
_TEST_DB = str(VAR / f"test-{os.getpid()}.db")
DATABASES = {"default": {**DATABASES["default"], "NAME": _TEST_DB, "TEST": {"NAME": _TEST_DB}}}

if os.environ.get("MLCOURSE_TEST_DB") == "mysql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "HOST": "127.0.0.1",
            "PORT": os.environ.get("DB_PORT", "33306"),
            "NAME": "mlcourse",
            "USER": "mlcourse",
            "PASSWORD": "mlcourse",
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
