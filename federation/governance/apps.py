from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "federation.governance"
    label = "governance"
    verbose_name = _("Gouvernance")

    def ready(self) -> None:
        # The federation cockpit's governance panels (the base layer's registry, as each app seeds its demo).
        from federation.governance import cockpit

        cockpit.register()
