"""Erase a learner's personal data from every mlcourse activity (for runtimes without Open edX's retirement
pipeline; in the LMS the USER_RETIRE_LMS_MISC signal does the same)."""
from django.core.management.base import BaseCommand, CommandError

from mlcourse.services.privacy import retire_learner


class Command(BaseCommand):
    help = "Retire learners by their learner id (the platform's anonymous user id, or the workbench id)."

    def add_arguments(self, parser):
        parser.add_argument("learner_ids", nargs="+", help="one or more learner ids")

    def handle(self, *args, **options):
        ids = [i.strip() for i in options["learner_ids"] if i.strip()]
        if not ids:
            raise CommandError("Give at least one learner id.")
        count = retire_learner(ids)
        self.stdout.write(self.style.SUCCESS(f"Retired {count} participant record(s)."))
