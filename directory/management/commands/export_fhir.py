import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from directory import fhir, selectors
from directory.models import Visibility
from federation.models import SecurityEvent
from federation.services import security_event_record


def _federation_visible(entry, name: str) -> bool:
    # An export leaves the platform: only fields their owner opened to the whole federation.
    return entry.visibility_of(name) == Visibility.FEDERATION


class Command(BaseCommand):
    help = "Exporte l'annuaire en Bundle FHIR R4 (Practitioner, PractitionerRole, Organization)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="fichier de sortie (défaut : sortie standard)")
        parser.add_argument("--cpts", help="limiter aux professionnels d'une CPTS (slug)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        queryset = selectors.professionals_detailed().order_by("id")
        if options["cpts"]:
            queryset = queryset.filter(cpts_links__cpts__slug=options["cpts"])
        total = queryset.count()
        security_event_record(
            kind=SecurityEvent.Kind.EXPORT,
            detail={"export": "fhir_command", "cpts": options["cpts"], "count": total},
        )
        out = open(options["output"], "w", encoding="utf-8") if options["output"] else sys.stdout  # noqa: SIM115
        try:
            with tqdm(
                total=total, unit="pro", disable=options["no_progress"] or not options["output"]
            ) as bar:

                def professionals():
                    for pro in queryset.iterator(chunk_size=1000):
                        bar.update(1)
                        yield pro

                count = fhir.write_bundle(out, fhir.resources(professionals(), _federation_visible))
        finally:
            if options["output"]:
                out.close()
        if options["output"]:
            self.stdout.write(
                self.style.SUCCESS(f"{count} ressources FHIR écrites dans {options['output']}.")
            )
