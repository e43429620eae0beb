"""Load test: the workbench with our app on the throwaway MariaDB that `make bench` starts (DB_PORT)."""
import os

import pymysql

from devsite.settings import *  # noqa: F401,F403

pymysql.install_as_MySQLdb()
DEBUG = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.mysql", "HOST": "127.0.0.1", "PORT": os.environ.get("DB_PORT", "33306"),
        "NAME": "mlcourse", "USER": "mlcourse", "PASSWORD": "mlcourse", "CONN_MAX_AGE": 60,
        "OPTIONS": {"charset": "utf8mb4", "isolation_level": "read committed"},
    }
}
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"errors": {"class": "logging.FileHandler", "filename": "var/load/errors.log"}},
           "loggers": {"django.request": {"handlers": ["errors"], "level": "ERROR"}}}
