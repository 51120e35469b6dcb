from django.core.management.base import BaseCommand, CommandError

from federation.governance.audit import verify_chain


class Command(BaseCommand):
    help = "Vérifie le chaînage du journal d'audit de la gouvernance et nomme le premier maillon rompu."

    def add_arguments(self, parser):
        parser.add_argument("--federation", type=int, action="append", help="identifiant de fédération")

    def handle(self, *args, **options):
        checked, broken = verify_chain(options.get("federation"))
        if broken is not None:
            raise CommandError(
                f"Journal d'audit corrompu : entrée #{broken.entry_id} (fédération {broken.federation_id}, "
                f"séquence {broken.seq}) — {broken.reason}."
            )
        self.stdout.write(self.style.SUCCESS(f"Journal d'audit intègre : {checked} entrée(s) vérifiée(s)."))
