import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from directory import services
from directory.importing import ImportFormatError


class Command(BaseCommand):
    help = (
        "Importe l'extraction nationale PS_LibreAcces_Personne_activite_*.txt (Annuaire Santé) : "
        "en flux, idempotent, lignes invalides signalées."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--department", action="append", default=[], help="code département (répétable)")
        parser.add_argument("--batch-size", type=int, default=settings.DIRECTORY_IMPORT_BATCH_SIZE)
        parser.add_argument(
            "--no-index", action="store_true", help="ne pas mettre à jour l'index de recherche"
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--show-rejected", type=int, default=50, help="lignes rejetées affichées")

    def handle(self, *args, **options):
        path = options["file"]
        if not os.path.exists(path):
            raise CommandError(f"Fichier introuvable : {path}")
        started = time.monotonic()
        with tqdm(
            total=os.path.getsize(path),
            unit="B",
            unit_scale=True,
            desc="import RPPS",
            disable=options["no_progress"],
        ) as bar:
            try:
                run = services.import_run_execute(
                    actor=None,
                    path=path,
                    departments=options["department"],
                    batch_size=options["batch_size"],
                    index=not options["no_index"],
                    progress=bar.update,
                )
            except ImportFormatError as exc:
                raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        counts = run.counts
        for item in run.rejected[: options["show_rejected"]]:
            self.stdout.write(f"  ligne {item['line']} ({item['national_id'] or '?'}) : {item['reason']}")
        if len(run.rejected) > options["show_rejected"]:
            self.stdout.write(f"  … {len(run.rejected) - options['show_rejected']} autres lignes rejetées")
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['lines']} lignes lues en {elapsed:.1f} s ({counts['lines'] / max(elapsed, 1e-6):.0f} lignes/s) ; "
                f"professionnels : {counts['professionals_created']} créés, {counts['professionals_updated']} mis à jour, "
                f"{counts['professionals_unchanged']} inchangés, {counts['professionals_rejected']} rejetés ; "
                f"{counts['lines_rejected']} lignes rejetées, {counts['lines_filtered']} hors départements ; "
                f"{counts['structures']} structures, {counts['sites']} lieux d'exercice."
            )
        )
