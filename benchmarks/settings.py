"""Benchmarks run on their own SQLite file under var/bench/ (never the demo's database)."""
from devsite.settings import *  # noqa: F401,F403
from devsite.settings import DATABASES, VAR

(VAR / "bench").mkdir(parents=True, exist_ok=True)
DATABASES = {"default": {**DATABASES["default"], "NAME": str(VAR / "bench" / "bench.db")}}
DEBUG = False
