from django.core.management.base import BaseCommand
from tqdm import tqdm

from search import indexing, registry
from search.backends import get_backend


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche (toutes les sources enregistrées, ou --index NOM)."

    def add_arguments(self, parser):
        parser.add_argument("--index", action="append", help="nom de l'index (répétable)")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        names = options["index"] or [spec.name for spec in registry.all_specs()]
        backend = get_backend()
        for name in names:
            spec = registry.get(name)
            total = sum(src.count() for src in spec.sources.values() if src.count) or None
            with tqdm(
                total=total, desc=f"{name} ({backend.name})", unit="doc", disable=options["no_progress"]
            ) as bar:
                count = indexing.reindex(name, batch_size=options["batch_size"], progress=bar.update)
            self.stdout.write(self.style.SUCCESS(f"{name} : {count} documents indexés."))
