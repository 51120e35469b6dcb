from search.text import cells_in_box, expand, fold, framed, geo_cell, geo_cells, tokens


def test_fold():
    assert fold("Hélène LEFÈVRE") == "helene lefevre"
    assert fold("Sœur Cœur-Æther") == "soeur coeur aether"
    assert fold("L'Hôpital-Saint-Blaise") == "l hopital saint blaise"
    assert framed("Kiné") == " kine "
    assert tokens("  Saint-Jean-de-Védas ") == ["saint", "jean", "de", "vedas"]


def test_expand_longest_abbreviation_first():
    synonyms = {"sage femme": ["sage femme"], "kine": ["kinesitherapeute"], "mg": ["medecine generale"]}
    assert expand(["kine", "lunel"], synonyms) == [[["kine"], ["kinesitherapeute"]], [["lunel"]]]
    assert expand(["sage", "femme"], synonyms) == [[["sage", "femme"], ["sage", "femme"]]]
    assert expand(["mg"], synonyms) == [[["mg"], ["medecine", "generale"]]]


def test_groups_implied_by_another_are_dropped():
    from search.text import without_implied

    # "pédicure podologue": (pedicure | podologue) & podologue is just podologue.
    assert without_implied([[["pedicure"], ["podologue"]], [["podologue"]]]) == [[["podologue"]]]
    assert without_implied([[["sage", "femme"], ["sage", "femme"]]]) == [[["sage", "femme"]]]
    assert without_implied([[["kine"]], [["kine"]]]) == [[["kine"]]]
    names = [[["helene"]], [["lefevre"]]]
    assert without_implied(names) == names


def test_geo_cells_cover_every_place_and_the_box_around_a_point():
    """A document's places are grid cells of 0.1° (words of its tsvector on PostgreSQL); a circle's box
    names every cell it meets, so no document in the circle is missed."""
    lunel, marsillargues = (43.6756, 4.1358), (43.6650, 4.1794)
    assert geo_cell(*lunel) == "zg1336z1841"
    assert geo_cells([lunel, marsillargues, (None, None), lunel]) == "zg1336z1841"
    assert geo_cells([(43.6756, 4.1358), (43.6108, 3.8767)]) == "zg1336z1838 zg1336z1841"
    box = cells_in_box(43.60, 43.70, 4.05, 4.25)
    assert geo_cell(*lunel) in box and geo_cell(*marsillargues) in box and len(box) == 2 * 3
    assert cells_in_box(40.0, 50.0, 0.0, 10.0) is None  # too wide to be worth it


def test_the_cells_read_around_a_place_are_those_meeting_its_circle():
    """A box's corner cells beyond the radius are not read (a city's cell holds thousands of documents);
    a cell with any point within the radius is."""
    import random

    from search.backends.base import bounding_box, haversine_km
    from search.backends.database import _cells_in_circle
    from search.query import Place

    rng = random.Random(3)
    dropped = 0
    for _ in range(60):
        place = Place("x", rng.uniform(42.0, 51.0), rng.uniform(-4.0, 8.0))
        radius = rng.choice([2, 5, 10, 20])
        kept = set(_cells_in_circle(place, radius))
        for cell in cells_in_box(*bounding_box(place, radius)):
            row, column = (int(n) for n in cell[2:].split("z"))
            south, west = row / 10 - 90, column / 10 - 180
            grid = [(south + i / 40, west + j / 40) for i in range(5) for j in range(5)]
            nearest = min(haversine_km(place.latitude, place.longitude, lat, lon) for lat, lon in grid)
            if nearest <= radius:
                assert cell in kept
            elif cell not in kept:
                dropped += 1
    assert dropped > 20
