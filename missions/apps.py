from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    name = "missions"
    label = "missions"
    verbose_name = _("Contrat ACI et missions")

    def ready(self) -> None:
        from missions import cockpit

        cockpit.register()
