from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharedActionsConfig(AppConfig):
    name = "shared_actions"
    label = "shared_actions"
    verbose_name = _("Actions partagées")

    def ready(self) -> None:
        # The federation cockpit's panels (the base layer defines the registry, imports no feature app).
        from shared_actions import cockpit

        cockpit.register()
