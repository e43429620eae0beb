"""Load the workbench scenarios once in the gunicorn master (run with --preload), before workers fork."""
from workbench.wsgi import application  # noqa: F401  (first: sets up Django)
from django.db import connections  # noqa: E402
from workbench.scenarios import get_scenarios  # noqa: E402

get_scenarios()
connections.close_all()  # never share the master's connection with forked workers
