"""Issue 15, finding 13: caches of reference tables have an explicit load state. A timestamp of 0 for
"never loaded" against `time.monotonic()` (whose origin is the machine's boot) meant that on a machine
up for less than the TTL the commune tables never loaded and every `near` was "Commune inconnue"."""

import pytest

from search import places
from search.caching import Refreshed


def test_first_use_loads_whatever_the_clock_says():
    loads = []
    cache = Refreshed(lambda: loads.append(1) or len(loads), ttl=300, clock=lambda: 12.0)  # booted 12 s ago
    assert not cache.loaded
    assert cache.get() == 1 and cache.loaded
    assert cache.get() == 1  # within the TTL: no reload


def test_reloads_after_the_ttl_and_after_clear():
    now = [5.0]
    loads = []
    cache = Refreshed(lambda: loads.append(now[0]) or len(loads), ttl=300, clock=lambda: now[0])
    assert cache.get() == 1
    now[0] = 200.0
    assert cache.get() == 1
    now[0] = 306.0
    assert cache.get() == 2
    cache.clear()
    assert cache.get() == 3


@pytest.mark.django_db
def test_places_load_on_a_freshly_booted_machine(monkeypatch):
    from tests import factories

    factories.CommuneFactory(insee_code="34145", name="Lunel", latitude=43.6756, longitude=4.1358)
    monkeypatch.setattr(places._TABLES, "_clock", lambda: 3.0)  # up for 3 seconds
    places.clear_cache()
    try:
        assert places.commune_place("34145").label == "Lunel"
    finally:
        places.clear_cache()
