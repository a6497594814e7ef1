"""python3 manage.py report_labels: how many labels were printed, for the journal (a timer runs it)."""
from django.core.management.base import BaseCommand

from labels.models import Label


class Command(BaseCommand):
    help = "Report how many labels were printed."

    def handle(self, *args, **options):
        self.stdout.write(f"labels printed: {Label.objects.count()}")
