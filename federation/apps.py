from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FederationConfig(AppConfig):
    name = "federation"
    verbose_name = _("Fédération et CPTS")

    def ready(self):
        from federation import (
            invitation_panel,
            revocation,  # noqa: F401 — access that ends reaches open sockets
            signals,  # noqa: F401 — connects the security audit receivers
        )

        invitation_panel.register()  # the cockpit's "Invitations en attente"
