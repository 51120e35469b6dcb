from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    label = "directory"
    verbose_name = _("Annuaire")

    def ready(self):
        # The generic search layer learns what the directory indexes.
        from directory import cockpit, search_index

        search_index.register()
        # The federation cockpit's directory panel (the base layer defines the registry).
        cockpit.register()
        # The federation cockpit shows each member CPTS's professionals by profession.
        from directory import cockpit

        cockpit.register()
