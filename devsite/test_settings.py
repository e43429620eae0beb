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
    import pymysql  # pure-Python driver (the `test` extra): no libmysqlclient or compiler needed

    pymysql.install_as_MySQLdb()
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "HOST": "127.0.0.1",
            "PORT": os.environ.get("DB_PORT", "33306"),
            "NAME": "mlcourse",
            "USER": "mlcourse",
            "PASSWORD": "mlcourse",
            # Django's default, stated: the services rely on it (MLCOURSE_DB_ISOLATION="repeatable read" to probe).
            "OPTIONS": {"charset": "utf8mb4",
                        "isolation_level": os.environ.get("MLCOURSE_DB_ISOLATION", "read committed")},
            # One test database per process, like the SQLite file above: two runs sharing a server never meet.
            "TEST": {"NAME": f"test_mlcourse_{os.getpid()}", "CHARSET": "utf8mb4",
                     "COLLATION": "utf8mb4_unicode_ci"},
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
