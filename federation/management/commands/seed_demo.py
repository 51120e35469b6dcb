from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Crée les données de démonstration (idempotent) : chaque application remplit sa part (demo.py)."

    def handle(self, *args, **options):
        # INSTALLED_APPS lists the project's apps in layer order, so each app finds what it builds on.
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if find_spec(config.name) is None or find_spec(module_name) is None:
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"Démo : {config.verbose_name}"))
            import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Démonstration prête."))
