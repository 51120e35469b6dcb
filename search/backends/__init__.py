"""Backend selection: settings.SEARCH_BACKEND is `database` or `elasticsearch`."""

from django.conf import settings
from django.utils.module_loading import import_string

from search.backends.base import SearchBackend

BACKENDS = {
    "database": "search.backends.database.DatabaseBackend",
    "elasticsearch": "search.backends.elasticsearch.ElasticsearchBackend",
}
_instances: dict[str, SearchBackend] = {}


def get_backend(name: str | None = None) -> SearchBackend:
    name = name or settings.SEARCH_BACKEND
    if name not in _instances:
        if name not in BACKENDS:
            raise ValueError(f"Unknown SEARCH_BACKEND {name!r}: choose one of {sorted(BACKENDS)}")
        _instances[name] = import_string(BACKENDS[name])()
    return _instances[name]
