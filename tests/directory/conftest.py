import io

import pytest

from search import caching
from tests import factories
from tests.directory.sample import sample_text

# Real INSEE codes, postal codes and approximate town-hall coordinates.
COMMUNES = [
    ("34145", "Lunel", 43.6756, 4.1358, 26000, "34400"),
    ("34146", "Lunel-Viel", 43.6789, 4.0922, 4000, "34400"),
    ("34151", "Marsillargues", 43.6650, 4.1794, 6500, "34590"),
    ("34154", "Mauguio", 43.6167, 4.0083, 17000, "34130"),
    ("34172", "Montpellier", 43.6108, 3.8767, 300000, "34000 34070 34080 34090"),
    ("34301", "Sète", 43.4028, 3.6928, 44000, "34200"),
    ("34270", "Saint-Jean-de-Védas", 43.5764, 3.8269, 10000, "34430"),
    ("34090", "Le Crès", 43.6481, 3.9394, 9500, "34920"),
]


@pytest.fixture(autouse=True)
def _fresh_place_cache():
    caching.clear_all()
    yield
    caching.clear_all()


@pytest.fixture
def communes(db):
    herault = factories.DepartementFactory(code="34", name="Hérault")
    return {
        name: factories.CommuneFactory(
            insee_code=code,
            name=name,
            departement=herault,
            latitude=lat,
            longitude=lon,
            population=pop,
            postal_codes=postal,
        )
        for code, name, lat, lon, pop, postal in COMMUNES
    }


@pytest.fixture
def imported(communes):
    """The sample extraction imported (département 34)."""
    from directory.importing import import_file

    return import_file(io.BytesIO(sample_text().encode()), departments=["34"])
