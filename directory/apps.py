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
        # The federation cockpit's directory panel and its column of professionals by profession.
        cockpit.register()
