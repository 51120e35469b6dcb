"""Issue 15: search that understands how French professionals type. One test (or more) per finding, each
failing before the change; on whichever database the suite runs (PostgreSQL full text, SQLite)."""

import pytest
from django.urls import reverse

from directory import search_index
from directory.models import Professional, Specialty, Structure
from federation.models import Commune
from tests.directory.factories import (
    PracticeSiteFactory,
    ProfessionalFactory,
    ProfessionFactory,
    StructureFactory,
)

pytestmark = pytest.mark.django_db


def located_structure(commune, **fields):
    """A structure at its commune's centre (indexed by the caller)."""
    return StructureFactory(commune=commune, latitude=commune.latitude, longitude=commune.longitude, **fields)


@pytest.fixture
def people(imported, communes):
    """The sample (Hélène LEFÈVRE, kiné in Lunel and Lunel-Viel; Dr Dupont, GP and cardiologist in Sète;
    Zoé Nguyễn, nurse in Montpellier) and, around them, physiotherapists, a GP practising in Lunel and
    Marsillargues, a nurse in Sète, a "Cabinet Chrétien"."""
    kine = ProfessionFactory(code="70", label="Masseur-Kinésithérapeute")
    gp_profession = ProfessionFactory(code="10", label="Médecin")
    nurse = ProfessionFactory(code="60", label="Infirmier")
    midwife = ProfessionFactory(code="50", label="Sage-Femme")
    general, _ = Specialty.objects.get_or_create(code="SM53", defaults={"label": "Médecine générale"})
    made = {}
    for key, last, first, commune, profession in [
        ("marsillargues", "Arnaud", "Camille", "Marsillargues", kine),
        ("mauguio", "Blanc", "Camille", "Mauguio", kine),
        ("vedas", "Roux", "Inès", "Saint-Jean-de-Védas", kine),
        ("cres", "Vidal", "Léa", "Le Crès", kine),
        ("nurse_sete", "Morel", "Anne", "Sète", nurse),
        ("midwife", "Estève", "Julie", "Mauguio", midwife),
        ("lunel_b", "Aubert", "Marc", "Lunel", kine),
        ("lunel_a", "Aubert", "Alice", "Lunel", kine),
    ]:
        pro = ProfessionalFactory(last_name=last, first_name=first, profession=profession)
        PracticeSiteFactory(
            professional=pro, commune=communes[commune], name=f"Cabinet {last}", phone="0467112233"
        )
        made[key] = pro
    chretien = ProfessionalFactory(last_name="Chrétien", first_name="Paul", profession=gp_profession)
    chretien.specialties.add(general)
    PracticeSiteFactory(professional=chretien, commune=communes["Lunel"], name="Cabinet Chrétien")
    PracticeSiteFactory(professional=chretien, commune=communes["Marsillargues"], name="Antenne")
    made["chretien"] = chretien
    made["cabinet"] = located_structure(
        communes["Lunel"], name="Cabinet Chrétien", kind=Structure.Kind.PRACTICE
    )
    search_index.schedule_professionals(p.pk for p in made.values() if isinstance(p, Professional))
    search_index.schedule_structures([made["cabinet"].pk])
    made["helene"] = Professional.objects.get(national_id="810001234567")
    made["dupont"] = Professional.objects.get(national_id="810009876543")
    made["zoe"] = Professional.objects.get(national_id="0349912345")
    return made


def search(api, user, expect=200, **params):
    response = api(user).get(reverse("api-directory-search"), params)
    assert response.status_code == expect, response.content
    return response.json()


def ids(answer, kind="professional"):
    return [r["id"] for r in answer["results"] if r["kind"] == kind]


# 1. "à" before a commune; "près de"; stop words never prefixes ----------------------------------------
@pytest.mark.parametrize(
    "text", ["kiné à Lunel", "kine a lunel", "kine pres de lunel", "kiné autour de Lunel"]
)
def test_connecting_words_around_a_place(world, api, people, text):
    reference = search(api, world.member_a, q="kine lunel")
    answer = search(api, world.member_a, q=text)
    assert answer["place"]["label"] == "Lunel"
    assert set(ids(answer)) == set(ids(reference)) and len(ids(answer)) >= 4
    assert answer["approximate"] is False and answer["fuzzy"] is False


def test_medecin_a_marsillargues_finds_the_gp_practising_there(world, api, people):
    answer = search(api, world.member_a, q="medecin a marsillargues")
    assert answer["place"]["label"] == "Marsillargues"
    assert ids(answer)[:1] == [people["chretien"].pk]


# 2. Plural and feminine forms ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "singular"),
    [
        ("infirmieres sete", "infirmier sete"),
        ("infirmières Sète", "infirmière sète"),
        ("kinés lunel", "kine lunel"),
        ("médecins généralistes", "medecin generaliste"),
        ("sages-femmes", "sage-femme"),
        ("masseuses kinésithérapeutes lunel", "masseur kinesitherapeute lunel"),
        ("cabinets chrétien", "cabinet chretien"),
    ],
)
def test_plural_and_feminine_forms_find_the_same(world, api, people, text, singular):
    """Also for kinds of structures: "pharmacies", "cabinets"."""
    expected = ids(search(api, world.member_a, q=singular))
    assert expected
    assert ids(search(api, world.member_a, q=text)) == expected


def test_the_lexicon_folds_forms_to_the_nomenclature():
    from search.text import inflections, lexicon

    assert {"infirmiere", "infirmieres", "infirmiers"} <= inflections("infirmier")
    assert {"pharmacienne", "pharmaciennes"} <= inflections("pharmacien")
    assert {"masseuse", "masseuses"} <= inflections("masseur")
    forms = lexicon({"infirmier", "pharmacien", "masseur", "kine", "sage", "femme", "medecin"})
    assert forms["infirmieres"] == "infirmier" and forms["kines"] == "kine" and forms["femmes"] == "femme"
    assert "infirmier" not in forms  # a root is never rewritten


# 3. When not every word matches: approximate results, the place still filtering ---------------------
def test_not_every_word_matches_gives_approximate_results_in_the_place(world, api, people):
    answer = search(api, world.member_a, q="infirmière à domicile Montpellier")
    assert answer["approximate"] is True and answer["place"]["label"] == "Montpellier"
    assert ids(answer) == [people["zoe"].pk]  # the nurse of Montpellier, not the one of Sète
    kines = search(api, world.member_a, q="kiné à domicile lunel")
    assert kines["approximate"] is True
    assert set(ids(kines)) == set(ids(search(api, world.member_a, q="kine lunel")))


def test_approximate_results_rank_by_how_many_words_match(world, api, people):
    answer = search(api, world.member_a, q="kine arnaud domicile")
    assert answer["approximate"] is True
    assert ids(answer)[0] == people["marsillargues"].pk  # kine and arnaud: two words of three


# 5. Postal codes are places, a code shared by several communes searches all of them ------------------
def test_postal_code_as_near_and_in_the_text(world, api, people):
    answer = search(api, world.member_a, near="34400", kind="professional")
    assert answer["place"]["communes"] == ["34145", "34146"]  # Lunel first (most populated)
    found = ids(answer)
    assert people["helene"].pk in found and people["lunel_a"].pk in found
    assert people["marsillargues"].pk not in found
    in_text = search(api, world.member_a, q="kine 34400")
    assert set(ids(in_text)) == {p.pk for k, p in people.items() if k in ("helene", "lunel_a", "lunel_b")}
    # Typed as it is printed, in groups.
    assert set(ids(search(api, world.member_a, q="kine 34 400"))) == set(ids(in_text))


@pytest.mark.parametrize("cap", [2, 1000])
def test_postal_code_read_by_walking_the_nearest_places(world, api, people, monkeypatch, cap):
    """PostgreSQL: many matches in a postal code's communes are read by walking the places nearest to its
    centre, within its farthest commune (the text read went through every match of the country's words).
    The walk answers only when it reaches the cap; with fewer matches than that, the text read answers: the
    results are the same either way."""
    from search.backends import database

    reference = search(api, world.member_a, q="kine 34400")
    monkeypatch.setattr(database, "COUNT_CAP", cap)
    monkeypatch.setattr(database.DatabaseBackend, "_text_first", classmethod(lambda cls, *a, **k: False))
    walked = search(api, world.member_a, q="kine 34400")
    expected = {p.pk for k, p in people.items() if k in ("helene", "lunel_a", "lunel_b")}
    if cap == 2:  # the nearest three (cap + 1), the total read as more than the cap
        assert set(ids(walked)) == expected and walked["total_is_exact"] is False
    else:
        assert walked["results"] == reference["results"] and walked["total"] == reference["total"]


# 6. Saint / St and articles --------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["st jean de vedas", "kine st jean de védas", "Saint-Jean-de-Védas"])
def test_saint_and_st_are_the_same(world, api, people, text):
    answer = search(api, world.member_a, q=text)
    assert answer["place"]["label"] == "Saint-Jean-de-Védas"
    assert ids(answer)[:1] == [people["vedas"].pk]


@pytest.mark.parametrize("near", ["St-Jean-de-Védas", "st jean de vedas", "34270", "34430"])
def test_saint_as_near(world, api, people, near):
    assert search(api, world.member_a, near=near)["place"]["code"] in ("34270", "34430")


@pytest.mark.parametrize("near", ["Le Crès", "le cres", "Crès"])
def test_communes_with_an_article(world, api, people, near):
    answer = search(api, world.member_a, near=near, radius=2)
    assert answer["place"]["label"] == "Le Crès"
    assert ids(answer) == [people["cres"].pk]


# 7. Titles and national ids --------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["dr chretien", "docteur chrétien", "Dr. Chrétien", "Pr Chrétien"])
def test_titles_are_not_words(world, api, people, text):
    assert ids(search(api, world.member_a, q=text))[:1] == [people["chretien"].pk]


@pytest.mark.parametrize(
    "text", ["10001234567", "810001234567", "kine 10001234567", "100 012 345 67", "810 001 234 567"]
)
def test_rpps_and_national_ids_match_exactly(world, api, people, text):
    answer = search(api, world.member_a, q=text)
    assert ids(answer) == [people["helene"].pk] and answer["results"][0]["national_id"] == "810001234567"


def test_adeli_and_finess_match_exactly(world, api, people):
    assert ids(search(api, world.member_a, q="349912345")) == [people["zoe"].pk]
    structure = Structure.objects.get(finess="340012345")
    assert ids(search(api, world.member_a, q="340012345"), "structure") == [structure.pk]
    assert ids(search(api, world.member_a, q="340 012 345"), "structure") == [structure.pk]


def test_every_professional_hit_carries_its_national_id(world, api, people):
    answer = search(api, world.member_a, q="kine")
    assert answer["results"]
    for hit in answer["results"]:
        if hit["kind"] == "professional":
            pro = Professional.objects.get(pk=hit["id"])
            assert hit["national_id"] == pro.national_id
        else:
            assert hit["national_id"] is None


# 8. People before structures on a name; structures first on a kind -----------------------------------
def test_people_before_structures_on_a_surname(world, api, people):
    answer = search(api, world.member_a, q="chretien")
    assert [(r["kind"], r["id"]) for r in answer["results"]][:2] == [
        ("professional", people["chretien"].pk),
        ("structure", people["cabinet"].pk),
    ]
    cabinet = search(api, world.member_a, q="cabinet chretien")
    assert (cabinet["results"][0]["kind"], cabinet["results"][0]["id"]) == ("structure", people["cabinet"].pk)


# 9. Results people can use without clicking ----------------------------------------------------------
def test_result_lines_carry_specialty_commune_and_phone(world, api, people):
    hit = search(api, world.member_a, q="chretien")["results"][0]
    assert hit["details"]["specialty"] == "Médecine générale"
    assert hit["details"]["commune"] == "Lunel" and hit["details"]["sites"] == 2
    assert "Médecine générale" in hit["subtitle"]
    kine = search(api, world.member_a, q="arnaud")["results"][0]
    assert kine["details"]["phone"] == "0467112233"


def test_the_radius_applied_is_the_one_answered(world, api, people):
    assert search(api, world.member_a, q="kine lunel")["radius_km"] == 10  # the default, said
    assert search(api, world.member_a, q="kine lunel", radius=5)["radius_km"] == 5
    assert search(api, world.member_a, q="kine")["radius_km"] is None


# 10. Ordering, totals, a radius without a place ------------------------------------------------------
def test_ties_by_relevance_then_surname(world, api, people):
    answer = search(api, world.member_a, q="kine", near="Lunel", radius=1, kind="professional")
    # Everyone in Lunel is at the same distance: surname, then first name.
    assert ids(answer) == [people["lunel_a"].pk, people["lunel_b"].pk, people["helene"].pk]


def test_an_empty_query_is_sorted_by_surname(world, api, people):
    answer = search(api, world.member_a, profession="70", page_size=100)
    surnames = [Professional.objects.get(pk=i).last_name for i in ids(answer)]
    from search.text import fold

    assert [fold(s) for s in surnames] == sorted(fold(s) for s in surnames)


def test_a_radius_without_a_place_is_refused_in_french(world, api, people):
    body = search(api, world.member_a, expect=400, q="kine", radius=5)
    assert body["code"] == "radius_without_place" and list(body["fields"]) == ["radius"]
    assert "rayon" in body["detail"].lower()
    # With a place in the text, the radius applies around it.
    assert search(api, world.member_a, q="kine lunel", radius=5)["place"]["label"] == "Lunel"


def test_the_page_says_approximate_and_the_radius_error(world, web, people):
    page = web(world.member_a).get(reverse("directory-home"), {"q": "infirmière à domicile Montpellier"})
    assert "Résultats approchants" in page.content.decode()
    refused = web(world.member_a).get(reverse("directory-home"), {"q": "kine", "radius": "5"})
    assert "Un rayon demande une commune" in refused.content.decode()


def test_without_tiles_the_map_draws_commune_outlines(world, api, web, people, settings):
    settings.MAP_TILE_URL = ""
    page = web(world.member_a).get(reverse("directory-home"), {"q": "kine lunel"}).content.decode()
    assert f'data-outlines="{reverse("api-directory-outlines")}"' in page
    assert 'id="directory-initial-communes"' in page and "34145" in page
    outlines = api(world.member_a).get(reverse("api-directory-outlines"), {"commune": ["34145", "34146"]})
    assert outlines.status_code == 200
    features = outlines.json()["features"]
    assert [f["properties"]["name"] for f in features] == ["Lunel", "Lunel-Viel"]
    assert features[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    assert 'data-outlines=""' in web(world.member_a).get(reverse("directory-home")).content.decode()


# 4. Distance from every practice site, the nearest counting -----------------------------------------
@pytest.mark.parametrize("text_first", [True, False])
def test_a_second_practice_site_counts_for_distance(world, api, people, monkeypatch, text_first):
    """Dr Chrétien practises in Lunel (first site) and Marsillargues: around Marsillargues he is at 0 km,
    and found with a 2 km radius (before: 6.24 km away, absent with near=Marsillargues and 2 km). On
    PostgreSQL both nearest-first reads are checked: the text matches sorted by distance, and the walk over
    the places."""
    from search.backends.database import DatabaseBackend

    monkeypatch.setattr(DatabaseBackend, "_text_first", classmethod(lambda cls, *args, **kwargs: text_first))
    answer = search(api, world.member_a, q="medecin marsillargues")
    first = answer["results"][0]
    assert (first["id"], first["distance_km"]) == (people["chretien"].pk, 0.0)
    near = search(api, world.member_a, near="Marsillargues", radius=2, kind="professional")
    assert people["chretien"].pk in ids(near)
    distances = {r["id"]: r["distance_km"] for r in near["results"]}
    assert distances[people["chretien"].pk] == 0.0
    walk = search(api, world.member_a, near="Marsillargues", radius=2, profession="10")
    assert ids(walk) == [people["chretien"].pk] and walk["results"][0]["distance_km"] == 0.0
    # Once only, at its nearest; the line names the commune of that site.
    wide = search(api, world.member_a, near="Marsillargues", radius=30, profession="10")
    assert ids(wide).count(people["chretien"].pk) == 1
    assert first["details"]["commune"] == "Marsillargues" and "places" not in first["details"]
    # The subtitle and the map marker too (they named Lunel and sat at Lunel, 0 km from Marsillargues).
    marsillargues = Commune.objects.get(name="Marsillargues")
    assert first["subtitle"].endswith(" · Marsillargues")
    assert (first["latitude"], first["longitude"]) == (marsillargues.latitude, marsillargues.longitude)
    around_lunel = search(api, world.member_a, q="chretien", near="Lunel")["results"][0]
    assert around_lunel["details"]["commune"] == "Lunel" and around_lunel["subtitle"].endswith(" · Lunel")


def test_both_reads_around_a_place_collect_the_same_matches_beyond_the_cap(
    world, api, people, communes, monkeypatch
):
    """PostgreSQL: beyond the cap, the walk over the nearest places collects what the text read does (the
    nearest, then the lowest ids), whichever the estimates choose, even once rows have moved in the table
    (the walk read a place's documents in their physical order)."""
    from search.backends import database
    from search.models import SearchDocument

    kine = people["lunel_a"].profession
    more = [ProfessionalFactory(last_name=name, profession=kine) for name in ("Bardin", "Cazals", "Delmas")]
    for pro in more:
        PracticeSiteFactory(professional=pro, commune=communes["Lunel"])
    search_index.schedule_professionals([p.pk for p in more])
    in_lunel = [people[k].pk for k in ("lunel_a", "lunel_b")] + [p.pk for p in more]
    # Their documents written again, the highest id first: the table now holds them in the reverse order.
    for document in SearchDocument.objects.filter(kind="professional", object_id__in=in_lunel).order_by(
        "-id"
    ):
        SearchDocument.objects.filter(pk=document.pk).delete()
        document.save(force_insert=True)
    monkeypatch.setattr(database, "COUNT_CAP", 2)
    seen = []
    for text_first in (True, False):
        monkeypatch.setattr(
            database.DatabaseBackend, "_text_first", classmethod(lambda cls, *a, t=text_first, **k: t)
        )
        # Three matches collected (the cap + 1) on both pages; each page shows one of them.
        pages = [
            search(api, world.member_a, q="kine lunel", kind="professional", page_size=1, page=n)
            for n in (1, 2)
        ]
        assert all(page["total_is_exact"] is False for page in pages)
        seen.append([ids(page) for page in pages])
    assert seen[0] == seen[1]


def test_approximate_results_collect_the_best_matches_first(world, api, people, monkeypatch):
    """Beyond the counting cap, the documents matching the most words are the ones kept."""
    from search.backends import database

    monkeypatch.setattr(database, "COUNT_CAP", 2)
    answer = search(api, world.member_a, q="kine arnaud domicile", page_size=1)
    assert answer["approximate"] is True and ids(answer) == [people["marsillargues"].pk]


def test_approximate_results_near_a_place_collect_the_most_words_matched_first(
    world, api, people, monkeypatch
):
    """Around a place too: beyond the cap, the kiné named Arnaud (two words of three, 3.7 km away) is
    kept before the nearer kinés matching one word (PostgreSQL used to collect the nearest matches of any
    word, then rank only those)."""
    from search.backends import database

    monkeypatch.setattr(database, "COUNT_CAP", 2)
    answer = search(api, world.member_a, q="kine arnaud domicile lunel", page_size=1)
    assert answer["approximate"] is True and answer["place"]["label"] == "Lunel"
    assert ids(answer) == [people["marsillargues"].pk]
    assert answer["results"][0]["distance_km"] > 3


def test_approximate_results_beyond_the_cap_are_the_documents_matching_every_word_found(
    world, api, people, monkeypatch
):
    """ "domicile" matches nothing; the two kinés Aubert of Lunel match every other word and are more than
    the cap: they are the answer (PostgreSQL reads them with every word required, not ranked among all
    the documents matching any word), the nearest and, at equal distance, by surname and first name."""
    from search.backends import database

    monkeypatch.setattr(database, "COUNT_CAP", 1)
    answer = search(api, world.member_a, q="kiné aubert à domicile Lunel", page_size=1)
    assert answer["approximate"] is True and answer["total_is_exact"] is False
    assert ids(answer) == [people["lunel_a"].pk]


def test_approximate_results_drop_a_word_no_document_has(world, api, people):
    """A word matching nothing ranks nobody: the results are those of the other words, nearest first."""
    answer = search(api, world.member_a, q="kiné à domicile Lunel")
    reference = search(api, world.member_a, q="kiné Lunel")
    assert answer["approximate"] is True and reference["approximate"] is False
    assert set(ids(answer)) == set(ids(reference))
    distances = [r["distance_km"] for r in answer["results"]]
    assert distances == sorted(distances)


def test_an_abbreviation_is_a_whole_word_on_both_backends(world, api, people, communes):
    """ "ortho" is orthophoniste or orthoptiste, not orthopédie dento-faciale (the SQLite path used to
    read every word as a prefix)."""
    speech = ProfessionalFactory(
        last_name="Parole", profession=ProfessionFactory(code="91", label="Orthophoniste")
    )
    dentist = ProfessionalFactory(
        last_name="Dents", profession=ProfessionFactory(code="40", label="Chirurgien-Dentiste")
    )
    odf, _ = Specialty.objects.get_or_create(code="SCD01", defaults={"label": "Orthopédie dento-faciale"})
    dentist.specialties.add(odf)
    for pro in (speech, dentist):
        PracticeSiteFactory(professional=pro, commune=communes["Lunel"])
    search_index.schedule_professionals([speech.pk, dentist.pk])
    assert ids(search(api, world.member_a, q="ortho lunel")) == [speech.pk]


def test_a_typo_near_a_place_is_estimated_once(world, api, people):
    """PostgreSQL: the planner's estimate of a lone word, asked for to choose the nearest-first read, is
    the one the typo correction needs ("is this word common?"): it is not asked for again, nor when the
    corrected query chooses its read (only the corrections are)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimates are PostgreSQL's")
    with CaptureQueriesContext(connection) as queries:
        answer = search(api, world.member_a, q="aubertt", near="Lunel")
    assert set(ids(answer)) >= {people["lunel_a"].pk, people["lunel_b"].pk}
    assert answer["fuzzy"] is True
    explained = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("EXPLAIN")]
    assert sum("to_tsquery('french', 'aubertt')" in sql for sql in explained) == 1, explained


def test_a_partial_match_near_a_place_asks_the_planner_once(world, api, people):
    """PostgreSQL: "kiné à domicile Lunel" (no document has "domicile") is read again as "kiné" near Lunel;
    the estimates that relaxed query needs (its words, the area) were asked for with the query as typed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimates are PostgreSQL's")
    with CaptureQueriesContext(connection) as queries:
        answer = search(api, world.member_a, q="kiné à domicile Lunel")
    assert answer["approximate"] is True and people["lunel_a"].pk in ids(answer)
    explained = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("EXPLAIN")]
    assert len(explained) == 1, explained


# Found trying the demo as a coordinator would -----------------------------------------------------------
def test_a_typo_is_corrected_word_by_word_and_a_place_lends_it_nothing(world, api, web, people, communes):
    """Nobody is a radiologist in Marsillargues: the answer is empty, not "Maison de santé de
    Marsillargues" (the typo fallback compared the whole query with the titles, and "... de Marsillargues"
    was close enough). A mistyped surname is still corrected, its owner first: "chretein" → Dr Chrétien."""
    msp = located_structure(
        communes["Marsillargues"], name="Maison de santé de Marsillargues", kind=Structure.Kind.MSP
    )
    search_index.schedule_structures([msp.pk])
    assert search(api, world.member_a, q="radiologue marsillargues")["results"] == []
    assert search(api, world.member_a, q="ch sete")["results"] == []
    typo = search(api, world.member_a, q="chretein")
    assert ids(typo)[:1] == [people["chretien"].pk] and typo["fuzzy"] is True
    # The page says so (it showed the corrected names as if they were what was typed).
    page = web(world.member_a).get(reverse("directory-home"), {"q": "chretein"}).content.decode()
    assert '<p id="directory-fuzzy" class="meta">' in page and "orthographe la plus proche" in page
    exact = web(world.member_a).get(reverse("directory-home"), {"q": "chretien"}).content.decode()
    assert '<p id="directory-fuzzy" class="meta" hidden>' in exact


def test_kinds_of_structures_as_people_name_them(world, api, communes):
    """ "maison de retraite" is an EHPAD, "clinique" and "hôpital" an établissement de santé, "soins
    infirmiers à domicile" a SSIAD; plurals too."""
    made = {}
    for kind, name in [
        (Structure.Kind.EHPAD, "Les Oliviers"),
        (Structure.Kind.HOSPITAL, "Centre hospitalier du bassin"),
        (Structure.Kind.SSIAD, "Service du canton"),
    ]:
        made[kind] = located_structure(communes["Sète"], name=name, kind=kind)
    search_index.schedule_structures([s.pk for s in made.values()])
    for text, kind in [
        ("maison de retraite", Structure.Kind.EHPAD),
        ("maisons de retraite à Sète", Structure.Kind.EHPAD),
        ("clinique sète", Structure.Kind.HOSPITAL),
        ("hôpital", Structure.Kind.HOSPITAL),
        ("soins infirmiers à domicile", Structure.Kind.SSIAD),
    ]:
        assert ids(search(api, world.member_a, q=text), kind="structure") == [made[kind].pk], text


def test_a_surname_typed_whole_comes_before_the_first_names_it_begins(world, api, communes, settings):
    """ "martin": the MARTINs first, then Martin as a first name, then the Martines (they were all mixed,
    sorted by surname: Martine ABADIE first)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        pytest.skip("the french stemmer reads Martine as martin: PostgreSQL ranks them alike")
    gp = ProfessionFactory(code="10", label="Médecin")
    made = {}
    for key, first, last in [
        ("martine", "Martine", "Abadie"),
        ("first", "Martin", "Blanc"),
        ("surname", "Luc", "Martin"),
    ]:
        made[key] = ProfessionalFactory(first_name=first, last_name=last, profession=gp)
        PracticeSiteFactory(professional=made[key], commune=communes["Lunel"], name="Cabinet")
    search_index.schedule_professionals([p.pk for p in made.values()])
    order = ids(search(api, world.member_a, q="dr martin"))
    assert order == [made["surname"].pk, made["first"].pk, made["martine"].pk]


@pytest.mark.parametrize("text", ["kiné à moins de 3 km de Lunel", "kine lunel 3km", "kiné lunel 3 km"])
def test_a_radius_typed_in_the_text(world, api, people, text):
    """The distance typed with its unit is the radius (it was a word to match: nobody, then everyone
    approximately); the kiné of Marsillargues, 6 km from Lunel, is found at 10 km only."""
    answer = search(api, world.member_a, q=text)
    assert answer["radius_km"] == 3 and answer["place"]["label"] == "Lunel" and answer["approximate"] is False
    found = ids(answer)
    assert {people["lunel_a"].pk, people["lunel_b"].pk} <= set(found)
    assert people["marsillargues"].pk not in found
    assert people["marsillargues"].pk in ids(search(api, world.member_a, q="kiné à Lunel"))


def test_approximate_results_around_a_place_put_the_kind_named_first(world, api, people, communes):
    """ "pharmacie de garde lunel": nobody is "de garde", so every word is not found; among the equals at
    Lunel, the pharmacies before the pharmacists (they came by surname: Abel ALAIN first)."""
    pharmacist = ProfessionalFactory(
        first_name="Abel", last_name="Alain", profession=ProfessionFactory(code="21", label="Pharmacien")
    )
    PracticeSiteFactory(professional=pharmacist, commune=communes["Lunel"], name="Pharmacie Zola")
    pharmacy = located_structure(communes["Lunel"], name="Pharmacie Zola", kind=Structure.Kind.PHARMACY)
    search_index.schedule_professionals([pharmacist.pk])
    search_index.schedule_structures([pharmacy.pk])
    answer = search(api, world.member_a, q="pharmacie de garde lunel")
    assert answer["approximate"] is True
    order = [(r["kind"], r["id"]) for r in answer["results"]]
    assert order.index(("structure", pharmacy.pk)) < order.index(("professional", pharmacist.pk))


# Held-out phrasings (second pass): how professionals and coordinators type, tried on the demo -------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ophtalmologue", "Ophtalmologie"),  # the usual misnomer of the ophtalmologiste
        ("orthodontiste", "Orthopédie dento-faciale"),
        ("physiothérapeute", "Masseur-Kinésithérapeute"),
        ("nutritionniste", "Diététicien"),
        ("cabinet de kinésithérapie", "Masseur-Kinésithérapeute"),
        ("orthophonie", "Orthophoniste"),
    ],
)
def test_specialties_and_disciplines_in_everyday_words(world, api, communes, text, expected):
    """Each found nothing (0 results)."""
    specialties = {
        "Ophtalmologie": ("10", "Médecin", "SM38"),
        "Orthopédie dento-faciale": ("40", "Chirurgien-Dentiste", "SCD01"),
    }
    code, label, specialty = specialties.get(expected, ("99", expected, ""))
    pro = ProfessionalFactory(last_name="Zéphyr", profession=ProfessionFactory(code=code, label=label))
    if specialty:
        pro.specialties.add(Specialty.objects.get_or_create(code=specialty, defaults={"label": expected})[0])
    PracticeSiteFactory(professional=pro, commune=communes["Sète"], name="Cabinet")
    search_index.schedule_professionals([pro.pk])
    answer = search(api, world.member_a, q=text)
    assert ids(answer) == [pro.pk] and answer["approximate"] is False and answer["fuzzy"] is False


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("infimière sète", "infirmier sete"),
        ("kinesitérapeute à Lunel", "kine lunel"),
        ("masseur kinésitérapeute lunel", "kine lunel"),
        ("kinesitherapeutte lunel", "kine lunel"),
    ],
)
def test_a_mistyped_profession_is_read_as_the_nomenclature_word(world, api, people, text, reference):
    """ "infimière", "kinesitérapeute": nothing matched and no name was close (0 results); the closest
    word of the nomenclature is read instead, the place still applying (the answer says it is fuzzy)."""
    expected = search(api, world.member_a, q=reference)
    answer = search(api, world.member_a, q=text)
    assert answer["fuzzy"] is True and answer["place"]["label"] == expected["place"]["label"]
    assert ids(expected) and set(ids(answer)) == set(ids(expected))


@pytest.mark.parametrize(
    "text",
    [
        "kiné secteur Lunel",
        "kiné quartier Lunel",
        "kiné à côté de Lunel",
        "kine lunel et alentours",
        "kiné aux environs de Lunel",
        "kiné à proximité de Lunel",
        "kine LUNEL CEDEX",
        "kiné 34400 Lunel Cedex 2",
    ],
)
def test_words_saying_there_around_a_place(world, api, people, text):
    """ "secteur", "quartier", "à côté de", "alentours", "cedex" were words to match (nobody has them:
    approximate results, or none)."""
    reference = set(ids(search(api, world.member_a, q="kine lunel")))
    answer = search(api, world.member_a, q=text)
    assert answer["approximate"] is False and answer["fuzzy"] is False
    assert "Lunel" in answer["place"]["label"]
    assert set(ids(answer)) <= reference and {people["lunel_a"].pk, people["lunel_b"].pk} <= set(ids(answer))


@pytest.mark.parametrize("text", ["kine saint jean dorques", "kiné st jean d orques"])
def test_an_elided_article_typed_without_apostrophe(world, api, communes, text):
    """ "Saint-Jean-d'Orques" (no such commune in the fixture: made here) typed "dorques": no place."""
    commune = Commune.objects.create(
        insee_code="34999",
        name="Saint-Jean-d'Orques",
        departement_id=communes["Lunel"].departement_id,
        latitude=43.61,
        longitude=3.78,
        population=5000,
        postal_codes="34990",
    )
    from search import places

    places.clear_cache()
    answer = search(api, world.member_a, q=text)
    assert answer["place"]["label"] == commune.name


@pytest.mark.parametrize(
    "text", ["RPPS 10001234567", "rpps: 10001234567", "n° RPPS 100 012 345 67", "ADELI 349912345"]
)
def test_the_name_of_an_identifier_typed_before_it(world, api, people, text):
    """ "RPPS 10001234567": "rpps" was a word to match (0 results)."""
    expected = people["zoe"].pk if "ADELI" in text else people["helene"].pk
    assert ids(search(api, world.member_a, q=text)) == [expected]


def test_identifier_groups_of_six_digits(world, api, people):
    """ "10001 234567" (grouped as the card prints it) was two words: nothing."""
    assert ids(search(api, world.member_a, q="10001 234567")) == [people["helene"].pk]


def test_finess_named_before_it(world, api, communes):
    pharmacy = located_structure(
        communes["Lunel"], name="Pharmacie du Marché", kind=Structure.Kind.PHARMACY, finess="340000499"
    )
    search_index.schedule_structures([pharmacy.pk])
    for text in ["finess 340000499", "N° FINESS 340 000 499"]:
        assert ids(search(api, world.member_a, q=text), kind="structure") == [pharmacy.pk], text


@pytest.mark.parametrize("text", ["de la haye", "DE LA HAYE Nathalie", "nathalie de la Haye"])
def test_a_surname_typed_with_its_particles_apart(world, api, communes, text):
    """ "de la haye" for DELAHAYE: the particles are stop words, "haye" matched nobody (0 results)."""
    pro = ProfessionalFactory(last_name="DELAHAYE", first_name="Nathalie")
    PracticeSiteFactory(professional=pro, commune=communes["Sète"], name="Cabinet")
    search_index.schedule_professionals([pro.pk])
    answer = search(api, world.member_a, q=text)
    assert ids(answer) == [pro.pk] and answer["approximate"] is False and answer["fuzzy"] is False


@pytest.mark.parametrize(
    "text", ["maison médicale Lunel", "dispositif d'appui à la coordination", "cabinet médical Lunel"]
)
def test_structures_by_their_everyday_names(world, api, communes, text):
    kind, name = {
        "d": (Structure.Kind.DAC, "DAC 34"),
        "m": (Structure.Kind.MSP, "Maison de santé pluriprofessionnelle de Lunel"),
        "c": (Structure.Kind.PRACTICE, "Cabinet du Marché"),
    }[text[0]]
    structure = located_structure(communes["Lunel"], name=name, kind=kind)
    search_index.schedule_structures([structure.pk])
    answer = search(api, world.member_a, q=text)
    assert answer["approximate"] is False
    assert ids(answer, kind="structure") == [structure.pk]


@pytest.mark.parametrize(("text", "mode"), [("infirmière libérale", "L"), ("infirmier salarié", "S")])
def test_the_mode_of_practice_typed_filters(world, api, communes, text, mode):
    """ "infirmière libérale": "libérale" was a word to match (approximate results, salaried nurses
    among them); it is the mode filter."""
    nurse = ProfessionFactory(code="60", label="Infirmier")
    made = {}
    for code in ("L", "S"):
        made[code] = ProfessionalFactory(last_name=f"Nurse{code}", profession=nurse)
        PracticeSiteFactory(professional=made[code], commune=communes["Sète"], name="Cabinet", mode=code)
    search_index.schedule_professionals([p.pk for p in made.values()])
    answer = search(api, world.member_a, q=f"{text} sète")
    assert answer["approximate"] is False
    assert ids(answer) == [made[mode].pk]


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("infirmier(e) sète", "infirmier sete"),
        ("infirmier·e·s Sète", "infirmier sete"),
        ("infirmier.e sete", "infirmier sete"),
        ("kiné(s) Lunel", "kine lunel"),
    ],
)
def test_inclusive_writing(world, api, people, text, reference):
    """ "infirmier(e)": the "e" was a last word typed, a prefix (only the nurses with a word starting
    with "e": 4 of 68 in the demo's Sète)."""
    expected = ids(search(api, world.member_a, q=reference))
    answer = search(api, world.member_a, q=text)
    assert expected and ids(answer) == expected and answer["approximate"] is False


def test_a_postal_code_typed_with_a_space_as_near(world, api, people):
    """`near=34 400` was "Commune inconnue" (400); "34 400" in the text was already read."""
    answer = search(api, world.member_a, q="kine", near="34 400")
    assert answer["place"]["code"] == "34400"
    assert set(ids(answer)) == set(ids(search(api, world.member_a, q="kine", near="34400")))


@pytest.mark.parametrize("text", ["kiné Lunel ou Mauguio", "kine lunel mauguio", "kiné Lunel/Mauguio"])
def test_several_communes_named_are_one_place(world, api, people, text):
    """The second commune was a word to match (approximate results around the first, or none): the
    communes named are one place, as a postal code's communes are."""
    answer = search(api, world.member_a, q=text)
    assert answer["approximate"] is False and answer["place"]["label"] == "Lunel, Mauguio"
    found = set(ids(answer))
    assert {people["lunel_a"].pk, people["lunel_b"].pk, people["mauguio"].pk} <= found
    assert people["marsillargues"].pk not in found  # 6 km from Lunel, but not in either commune
    assert ids(answer)[-1] == people["mauguio"].pk  # measured from the first named


@pytest.mark.parametrize(
    "text", ["kiné Lunel Nord", "kiné Lunel centre-ville", "kine lunel centre ville", "kiné Lunel centre"]
)
def test_parts_of_a_town_say_there(world, api, people, text):
    answer = search(api, world.member_a, q=text)
    assert answer["approximate"] is False and answer["place"]["label"] == "Lunel"
    assert set(ids(answer)) == set(ids(search(api, world.member_a, q="kine lunel")))


def test_soins_infirmiers_are_the_nurses(world, api, people):
    """ "soins infirmiers Sète": "soins" was a word to match (approximate results)."""
    answer = search(api, world.member_a, q="soins infirmiers Sète")
    assert answer["approximate"] is False
    assert ids(answer) == ids(search(api, world.member_a, q="infirmier sete"))


def test_a_short_name_two_communes_share_is_both(world, api, communes):
    """ "kiné balaruc": Balaruc-les-Bains and Balaruc-le-Vieux are alike, so it was a text search (the
    kinés with "balaruc" in their commune's name, no distance, nothing around); it is both communes."""
    from federation.reference_data import load_departments
    from search import places

    load_departments(["34"])
    places.clear_cache()
    kine = ProfessionFactory(code="70", label="Masseur-Kinésithérapeute")
    made = {}
    for code in ("34023", "34024", "34129"):  # the two Balaruc, and Mèze
        made[code] = ProfessionalFactory(last_name=f"Kine{code}", profession=kine)
        PracticeSiteFactory(professional=made[code], commune=Commune.objects.get(insee_code=code))
    search_index.schedule_professionals([p.pk for p in made.values()])
    answer = search(api, world.member_a, q="kiné balaruc")
    assert answer["place"]["communes"] == ["34023", "34024"]
    assert ids(answer) == [made["34023"].pk, made["34024"].pk]


@pytest.mark.parametrize(
    ("text", "first"),
    [("le roux", "LE ROUX"), ("Le Roux Anne", "LE ROUX"), ("roux", "ROUX"), ("dacosta", "DA COSTA")],
)
def test_surnames_with_particles_rank_as_typed(world, api, communes, text, first):
    """ "le roux": the LE ROUX came after the ROUX and LEROUX (their surname was read as "le"); "dacosta"
    (typed in one word, found by the typo correction) listed the COSTA first."""
    from django.db import connection

    if connection.vendor == "postgresql" and text in ("roux", "Le Roux Anne"):
        pytest.skip("PostgreSQL ranks by ts_rank, then surname: it does not know where a surname ends")
    made = {}
    for last in ("ROUX", "LE ROUX", "LEROUX", "DA COSTA", "COSTA"):
        made[last] = ProfessionalFactory(last_name=last, first_name="Anne")
        PracticeSiteFactory(professional=made[last], commune=communes["Sète"], name="Cabinet")
    search_index.schedule_professionals([p.pk for p in made.values()])
    assert ids(search(api, world.member_a, q=text))[:1] == [made[first].pk]


@pytest.mark.parametrize("text", ["opthalmo", "ophtamo sète"])
def test_a_mistyped_abbreviation_is_read_as_its_expansions(world, api, communes, text):
    """ "opthalmo" (for "ophtalmo"): 0 results; the abbreviation closest to it is read."""
    pro = ProfessionalFactory(last_name="Zéphyr", profession=ProfessionFactory(code="10", label="Médecin"))
    pro.specialties.add(Specialty.objects.get_or_create(code="SM38", defaults={"label": "Ophtalmologie"})[0])
    PracticeSiteFactory(professional=pro, commune=communes["Sète"], name="Cabinet")
    search_index.schedule_professionals([pro.pk])
    answer = search(api, world.member_a, q=text)
    assert ids(answer) == [pro.pk] and answer["fuzzy"] is True


@pytest.mark.parametrize(
    "near", ["Lunel (34400)", "Lunel 34400", "34400 Lunel", "LUNEL CEDEX", "Lunel Cedex 2", "Lunel, Hérault"]
)
def test_near_a_commune_written_as_in_an_address(world, api, people, near):
    """`near=Lunel (34400)` and the like were "Commune inconnue" (400)."""
    answer = search(api, world.member_a, q="kine", near=near, radius=10)
    assert answer["place"]["label"] == "Lunel"
    assert ids(answer) == ids(search(api, world.member_a, q="kine", near="Lunel", radius=10))


@pytest.mark.parametrize(
    ("text", "place"), [("docteur", None), ("Dr à Lunel", "Lunel"), ("docteur lunel", "Lunel")]
)
def test_a_title_alone_asks_for_doctors(world, api, people, text, place):
    """ "docteur", "dr à Lunel": the title was dropped as a word, leaving nothing (everyone, the nurses
    and physiotherapists first by surname); alone, it asks for the doctors. "dr chretien" still names."""
    answer = search(api, world.member_a, q=text)
    reference = search(api, world.member_a, q=f"medecin {place or ''}")
    assert (answer["place"] or {}).get("label") == place
    assert ids(answer) == ids(reference) and people["chretien"].pk in ids(answer)
    assert people["lunel_a"].pk not in ids(answer)
    assert ids(search(api, world.member_a, q="dr chretien")) == [people["chretien"].pk]


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("liste des kinés de Lunel", "kine lunel"),
        ("je cherche un kiné à Lunel", "kine lunel"),
        ("annuaire infirmiers Sète", "infirmier sete"),
        ("tous les médecins", "medecin"),
        ("numéro RPPS de Lefèvre", "lefevre"),
    ],
)
def test_a_request_written_as_a_sentence(world, api, people, text, reference):
    """ "liste", "je cherche", "annuaire", "tous", "numéro RPPS de" were words to match (approximate
    results; "liste" was even corrected to a surname)."""
    expected = search(api, world.member_a, q=reference)
    answer = search(api, world.member_a, q=text)
    assert answer["approximate"] is False and answer["fuzzy"] is False
    assert ids(expected) and ids(answer) == ids(expected)


@pytest.mark.parametrize(
    ("text", "near"), [("kiné Hérault", ""), ("kine 34", ""), ("kine", "34"), ("kine", "Hérault")]
)
def test_the_departement_is_a_place(world, api, communes, text, near):
    """ "kiné Hérault" matched the kinés of Clermont-l'Hérault only (a word of their commune's name);
    "kine 34" was approximate; near=34 "Commune inconnue". The département is every commune of it."""
    from federation.reference_data import load_departments
    from search import places

    load_departments(["34"])
    places.clear_cache()
    kine = ProfessionFactory(code="70", label="Masseur-Kinésithérapeute")
    made = []
    for code in ("34079", "34145", "34301"):  # Clermont-l'Hérault, Lunel, Sète
        made.append(ProfessionalFactory(last_name=f"Kine{code}", profession=kine))
        PracticeSiteFactory(professional=made[-1], commune=Commune.objects.get(insee_code=code))
    search_index.schedule_professionals([p.pk for p in made])
    answer = search(api, world.member_a, q=text, **({"near": near} if near else {}))
    assert answer["place"]["label"] == "Hérault (34)" and answer["approximate"] is False
    assert set(ids(answer)) == {p.pk for p in made}
    lunel = search(api, world.member_a, q="kiné Lunel, Hérault")  # where the commune is: Lunel
    assert lunel["place"]["label"] == "Lunel"


@pytest.mark.parametrize("text", ["H. Lefèvre", "h lefevre kiné", "Lefèvre H."])
def test_an_initial_is_the_start_of_a_first_name(world, api, people, text):
    """ "H. Lefèvre": on PostgreSQL the initial typed first was a whole word "h" (no match: approximate
    results, every Lefèvre); it is the start of a name wherever it is typed."""
    other = ProfessionalFactory(last_name="LEFÈVRE", first_name="Marc")
    PracticeSiteFactory(professional=other, commune=people["helene"].sites.first().commune)
    search_index.schedule_professionals([other.pk])
    answer = search(api, world.member_a, q=text)
    assert answer["approximate"] is False and ids(answer) == [people["helene"].pk]
