from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjetConfig(AppConfig):
    name = "missions.projet"
    label = "projet"
    verbose_name = _("Adhérents, projet de santé et fiches action")

    def ready(self) -> None:
        from missions.projet import cockpit

        cockpit.register()
