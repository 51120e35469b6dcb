from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    label = "messaging"
    verbose_name = _("Messagerie")

    def ready(self):
        from federation.events import cpts_membership_changed
        from messaging.receivers import on_cpts_membership_changed

        cpts_membership_changed.connect(on_cpts_membership_changed, dispatch_uid="messaging-cpts-channel")
