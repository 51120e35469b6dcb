"""Search acceptance, on whichever database the suite runs (PostgreSQL full text in CI, SQLite locally)."""

import pytest
from django.urls import reverse

from directory import search_index
from directory.models import Professional
from search import indexing
from tests.directory.factories import PracticeSiteFactory, ProfessionalFactory, ProfessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(imported, communes):
    """The sample plus physiotherapists around Lunel and elsewhere, and a midwife."""
    kine = ProfessionFactory(code="70", label="Masseur-Kinésithérapeute")
    midwife = ProfessionFactory(code="50", label="Sage-Femme")
    made = {}
    for key, last, commune, profession in [
        ("marsillargues", "Arnaud", "Marsillargues", kine),
        ("mauguio", "Blanc", "Mauguio", kine),
        ("montpellier", "Carré", "Montpellier", kine),
        ("sete", "Durand", "Sète", kine),
        ("sagefemme", "Estève", "Lunel", midwife),
    ]:
        pro = ProfessionalFactory(last_name=last, first_name="Camille", profession=profession)
        PracticeSiteFactory(professional=pro, commune=communes[commune], name=f"Cabinet {last}")
        made[key] = pro
    search_index.schedule_professionals(p.pk for p in made.values())
    made["helene"] = Professional.objects.get(national_id="810001234567")
    return made


def search(api, user, **params):
    response = api(user).get(reverse("api-directory-search"), params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(answer, kind="professional"):
    return [r["id"] for r in answer["results"] if r["kind"] == kind]


@pytest.mark.parametrize(
    "text", ["helene lefevre", "Hélène Lefèvre", "helen lefevr", "LEFEVRE", "lefèvre hélène"]
)
def test_names_with_and_without_accents_and_typos_find_the_same_person(world, api, directory, text):
    answer = search(api, world.member_a, q=text)
    assert ids(answer)[:1] == [directory["helene"].pk]


def test_a_real_typo_still_finds_by_trigram_similarity(world, api, directory):
    answer = search(api, world.member_a, q="helene lefebvre")
    assert ids(answer)[:1] == [directory["helene"].pk]
    assert answer["fuzzy"] is True


def test_kine_lunel_finds_physiotherapists_in_and_near_lunel(world, api, directory):
    answer = search(api, world.member_a, q="kine lunel")
    found = ids(answer)
    assert answer["place"]["label"] == "Lunel"
    assert directory["helene"].pk in found and directory["marsillargues"].pk in found
    for far in ("montpellier", "sete"):
        assert directory[far].pk not in found
    assert directory["sagefemme"].pk not in found  # not a physiotherapist
    distances = [r["distance_km"] for r in answer["results"]]
    assert distances == sorted(distances) and max(distances) <= 10


@pytest.mark.parametrize("text", ["kiné lunel", "kinesi lunel", "masseur kinésithérapeute Lunel", "MK lunel"])
def test_abbreviations_and_prefixes(world, api, directory, text):
    assert directory["helene"].pk in ids(search(api, world.member_a, q=text))


def test_sage_femme_and_ide_abbreviations(world, api, directory):
    assert ids(search(api, world.member_a, q="sage femme")) == [directory["sagefemme"].pk]
    nurse = Professional.objects.get(national_id="0349912345")
    assert ids(search(api, world.member_a, q="IDE montpellier")) == [nurse.pk]
    doctor = Professional.objects.get(national_id="810009876543")
    assert ids(search(api, world.member_a, q="MG")) == [doctor.pk]
    assert ids(search(api, world.member_a, q="généraliste sète")) == [doctor.pk]


def test_radius_returns_only_entries_inside_nearest_first(world, api, directory, communes):
    answer = search(api, world.member_a, near="34145", radius=8, kind="professional")
    distances = [r["distance_km"] for r in answer["results"]]
    assert distances == sorted(distances)
    assert all(d <= 8 for d in distances)
    found = ids(answer)
    assert directory["marsillargues"].pk in found and directory["mauguio"].pk not in found
    wider = search(api, world.member_a, near="Lunel", radius=15, kind="professional")
    assert directory["mauguio"].pk in ids(wider) and directory["montpellier"].pk not in ids(wider)
    point = search(api, world.member_a, lat=43.61, lon=3.88, radius=3, kind="professional")
    nurse = Professional.objects.get(national_id="0349912345")
    assert set(ids(point)) == {directory["montpellier"].pk, nurse.pk}


def test_filters_and_facets(world, api, directory):
    answer = search(api, world.member_a, q="", profession="70", kind="professional")
    assert answer["total"] == 5  # Hélène and the four physiotherapists of the fixture
    profession_facet = {f["value"]: f for f in answer["facets"]["profession"]}
    assert profession_facet["70"]["count"] == 5
    assert profession_facet["70"]["label"] == "Masseur-Kinésithérapeute"
    communes = {f["value"]: f["count"] for f in answer["facets"]["commune"]}
    assert communes["34145"] == 1 and communes["34146"] == 1
    only_lunel = search(api, world.member_a, profession="70", commune="34151")
    assert ids(only_lunel) == [directory["marsillargues"].pk]
    both = search(api, world.member_a, profession="70,50", commune="34145", kind="professional")
    assert set(ids(both)) == {directory["helene"].pk, directory["sagefemme"].pk}


def test_flags_follow_visibility(world, api, directory, communes):
    doctor = Professional.objects.get(national_id="810009876543")
    Professional.objects.filter(pk=doctor.pk).update(accepts_new_patients=True, takes_part_in_snp=True)
    indexing.index_objects("directory", "professional", [doctor.pk])
    assert ids(search(api, world.member_a, accepts_new_patients="true")) == [doctor.pk]
    assert ids(search(api, world.member_a, snp="true")) == [doctor.pk]
    # As people type them: the words are the filter (they matched nobody: "snp" is in no entry's text).
    for text in ("snp", "soins non programmés", "médecin qui accepte de nouveaux patients"):
        assert ids(search(api, world.member_a, q=text)) == [doctor.pk], text
    # Restricted to its CPTS: the flag leaves the shared index.
    Professional.objects.filter(pk=doctor.pk).update(visibility={"accepts_new_patients": "cpts"})
    indexing.index_objects("directory", "professional", [doctor.pk])
    assert ids(search(api, world.member_a, accepts_new_patients="true")) == []
    assert ids(search(api, world.member_a, q="nouveaux patients")) == []


def test_federation_visible_skills_are_found_only_by_that_federation(world, api, directory):
    from tests.directory.factories import ProfessionalCptsFactory

    kine = directory["marsillargues"]
    # Before any restricted text: the scopes that carry some are known (and cached) as none.
    assert ids(search(api, world.member_a, q="hypnose")) == []
    ProfessionalCptsFactory(professional=kine, cpts=world.cpts_a)
    Professional.objects.filter(pk=kine.pk).update(skills="Hypnose médicale, rééducation vestibulaire")
    indexing.index_objects("directory", "professional", [kine.pk])
    assert ids(search(api, world.member_a, q="hypnose")) == [kine.pk]
    assert ids(search(api, world.coordinator_b, q="kine vestibulaire")) == [kine.pk]  # same federation
    # Another federation (Gard) and a CPTS in no federation find nothing, not even a count.
    for outsider in (world.member_c,):
        answer = search(api, outsider, q="hypnose")
        assert ids(answer) == [] and answer["total"] == 0
        # Not every word matches for them: approximate results, the same as for "kine" alone (the
        # restricted word neither filters nor ranks).
        relaxed = search(api, outsider, q="kine vestibulaire")
        assert relaxed["approximate"] is True
        assert set(ids(relaxed)) == set(ids(search(api, outsider, q="kine")))
    # Restricted to its CPTS: the text leaves the index altogether.
    Professional.objects.filter(pk=kine.pk).update(visibility={"skills": "cpts"})
    indexing.index_objects("directory", "professional", [kine.pk])
    assert ids(search(api, world.member_a, q="hypnose")) == []


def test_pagination(world, api, directory):
    first = search(api, world.member_a, profession="70", page_size=2, kind="professional")
    second = search(api, world.member_a, profession="70", page_size=2, page=2, kind="professional")
    assert len(first["results"]) == 2 and len(second["results"]) == 2
    assert not set(ids(first)) & set(ids(second))


def test_structures_are_searchable(world, api, directory):
    answer = search(api, world.member_a, q="maison de sante lunel")
    assert any(r["kind"] == "structure" and "Lunel-Viel" in r["title"] for r in answer["results"])


def test_autocomplete(world, api, directory):
    response = api(world.member_a).get(reverse("api-directory-autocomplete"), {"q": "lefe"})
    assert "Hélène LEFÈVRE" in response.json()["suggestions"]


def test_bad_parameters_are_structured_errors(world, api, directory):
    """The one error shape: a service error (raised by the search) and field errors (the parameters'
    serializer) both come as {detail, code, fields}."""
    url = reverse("api-directory-search")
    response = api(world.member_a).get(url, {"near": "Atlantide", "radius": 5})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Commune inconnue : « Atlantide ».",
        "code": "unknown_commune",
        "fields": {"near": ["Commune inconnue : « Atlantide »."]},
    }
    response = api(world.member_a).get(url, {"radius": "-3", "near": "34145"})
    assert response.status_code == 400
    message = "Assurez-vous que cette valeur est supérieure ou égale à\xa00.1."
    assert response.json() == {"detail": message, "code": "min_value", "fields": {"radius": [message]}}
    response = api(world.member_a).get(url, {"lat": "43.6"})
    assert response.status_code == 400 and response.json()["code"] == "incomplete_point"
    assert response.json()["fields"] == {"lat": ["lat et lon vont ensemble."]}


def test_search_needs_an_account(api, directory):
    assert api().get(reverse("api-directory-search"), {"q": "lunel"}).status_code in (401, 403)


def test_search_query_count(world, api, directory, django_assert_num_queries):
    """Exact: the viewer's CPTS (one statement), then the search itself. SQLite: the candidate rows and,
    around a place, their other practice sites. PostgreSQL: the planner's estimates (nearest-first
    strategy), the one collecting statement (whether restricted text may match only when some document of
    the viewer's scopes carries restricted text: none here, and that is cached). Labels and places are
    cached."""
    search(api, world.member_a, q="kine")  # warm the label and place caches
    search(api, world.member_a, q="kine lunel")
    with django_assert_num_queries(1 + 2):
        search(api, world.member_a, q="kine lunel")
    with django_assert_num_queries(1):  # no text, no flag, no place: no scopes, one statement
        search(api, world.member_a, profession="70")


def test_token_search_reads_the_viewers_cpts_with_the_token(world, api, directory, django_assert_num_queries):
    """With an API token, the viewer's CPTS come with the token and its user (one statement): the search
    then runs its own statements only, and the viewer sees what a session user sees."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from directory.selectors import visible_cpts_ids

    url = reverse("api-directory-search")
    params = {"accepts_new_patients": "true"}
    doctor = Professional.objects.get(national_id="810009876543")
    Professional.objects.filter(pk=doctor.pk).update(accepts_new_patients=True)
    indexing.index_objects("directory", "professional", [doctor.pk])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.member_a).key}")
    assert visible_cpts_ids(world.member_a)  # the scopes matter for this viewer
    expected = search(api, world.member_a, **params)
    assert ids(expected) == [doctor.pk]
    assert client.get(url, params).json()["results"] == expected["results"]
    with django_assert_num_queries(2):  # the token, its user and their CPTS; the search's one statement
        assert client.get(url, params).status_code == 200


def test_search_page_renders_results_without_javascript(world, web, directory):
    response = web(world.member_a).get(reverse("directory-home"), {"q": "helene lefevre"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "LEFÈVRE" in body and "vendor/leaflet/leaflet.js" in body
    assert web().get(reverse("directory-home")).status_code == 302
    bad = web(world.member_a).get(reverse("directory-home"), {"near": "Atlantide"})
    assert "Commune inconnue" in bad.content.decode()


def test_reindex_command(world, api, directory, capsys):
    from django.core.management import call_command

    from search.models import SearchDocument

    SearchDocument.objects.all().delete()
    call_command("search_reindex", "--no-progress")
    assert "documents indexés" in capsys.readouterr().out
    assert ids(search(api, world.member_a, q="helene lefevre")) == [directory["helene"].pk]


def test_radius_pages_are_the_nearest_entries_in_order(world, api, directory):
    full = search(api, world.member_a, near="34145", radius=40, kind="professional")
    order = ids(full)
    assert len(order) >= 4
    for page in (1, 2, 3):
        answer = search(
            api, world.member_a, near="34145", radius=40, kind="professional", page_size=1, page=page
        )
        assert ids(answer) == order[page - 1 : page]


def test_broad_queries_are_capped(world, api, directory, monkeypatch):
    from search.backends import database

    monkeypatch.setattr(database, "COUNT_CAP", 2)
    answer = search(api, world.member_a, q="kine", kind="professional", page_size=1)
    assert answer["total"] == 2 and answer["total_is_exact"] is False
    # A page beyond the cap is still served whole; the total reads the same on every page ("plus de 2"):
    # issue 15, finding 10 (it read the cap on page 1 and more on later pages).
    answer = search(api, world.member_a, q="kine", kind="professional", page_size=5)
    assert len(answer["results"]) == 5
    assert (answer["total"], answer["total_is_exact"]) == (2, False)
    later = search(api, world.member_a, q="kine", kind="professional", page_size=2, page=3)
    assert later["results"] and (later["total"], later["total_is_exact"]) == (2, False)


def test_a_capped_search_collects_the_same_matches_on_every_run(world, api, directory, monkeypatch):
    """Beyond the counting cap, page 1 is the same on every run. PostgreSQL: the matches are never
    collected by a sequential scan, which starts wherever a concurrent scan of the table is (synchronized
    scans: "médecin" showed another page 1 from run to run); SQLite: in the order they were indexed."""
    from django.db import connection

    from search.backends import database

    monkeypatch.setattr(database, "COUNT_CAP", 2)
    statements = []

    def record(execute, sql, params, many, context):
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        answer = search(api, world.member_a, q="kine", page_size=2)
    assert answer["total_is_exact"] is False
    assert all(search(api, world.member_a, q="kine", page_size=2) == answer for _run in range(3))
    if connection.vendor == "postgresql":
        (collect,) = [(sql, p) for sql, p in statements if sql.startswith("WITH")]
        with connection.cursor() as cursor:
            # A common word in a large table (synchronized scans concern tables larger than a quarter
            # of shared_buffers) is read by going through the table: shown on this small one by leaving
            # the planner no index.
            for setting in ("enable_seqscan", "enable_indexscan", "enable_bitmapscan"):
                cursor.execute(f"SET LOCAL {setting} = off")
            cursor.execute("EXPLAIN " + collect[0], collect[1])
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Tid Range Scan on search_searchdocument" in plan and "Gather" not in plan, plan
