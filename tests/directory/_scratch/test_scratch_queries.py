import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

QUERIES = [
    "kiné à Lunel",
    "kinés lunel",
    "infirmières sète",
    "infirmiere a domicile montpellier",
    "medecin generaliste lunel",
    "médecins généralistes à Sète",
    "dentiste montpellier",
    "chirurgien dentiste 34000",
    "pharmacie lunel",
    "pharmacies à sète",
    "sage-femme montpellier",
    "sages femmes",
    "orthophoniste",
    "ortho lunel",
    "psy montpellier",
    "cardiologue montpellier",
    "cardio",
    "pédiatre",
    "ophtalmo",
    "dr lefevre",
    "docteur lefèvre",
    "10001234567",
    "kine 34400",
    "st jean de vedas",
    "kiné le crès",
    "infirmier la grande motte",
    "medecin pres de lunel",
    "kine autour de lunel",
    "msp lunel",
    "maison de santé",
    "podologue sete",
    "pédicure",
    "ergothérapeute",
    "psychologue",
    "dermatologue",
    "gynéco montpellier",
    "radiologue",
    "kine a domicile lunel",
    "IDE sète",
    "MG lunel",
    "médecin traitant lunel",
    "orthoptiste",
    "audioprothésiste",
    "diététicienne",
    "lefevre",
]


def test_queries(world, api, settings):
    from django.core.management import call_command
    from directory import demo
    from directory.importing import import_file

    call_command("load_territories", "--department", "34", verbosity=0)
    demo.generate("/tmp/demo34.txt", size=3000)
    import_file("/tmp/demo34.txt")
    out = []
    for q in QUERIES:
        r = api(world.member_a).get(reverse("api-directory-search"), {"q": q})
        body = r.json()
        if r.status_code != 200:
            out.append(f"{q!r:40} -> {r.status_code} {body}")
            continue
        top = [
            f"{h['title']} [{h['details'].get('profession') or h['details'].get('kind')}|{h['details'].get('specialty', '')}|{h['details'].get('commune')}]"
            for h in body["results"][:3]
        ]
        out.append(
            f"{q!r:40} -> {body['total']}{'' if body['total_is_exact'] else '+'} place={body['place'] and body['place']['label']} approx={body['approximate']} fuzzy={body['fuzzy']} :: {top}"
        )
    open("/tmp/scratch_out.txt", "w").write("\n".join(out))


def test_pharmacie(world, api):
    from django.core.management import call_command
    from directory import demo
    from directory.importing import import_file
    from search.backends.base import plan_query
    from directory.search_index import SPEC
    from search.query import SearchQuery

    call_command("load_territories", "--department", "34", verbosity=0)
    demo.generate("/tmp/demo34.txt", size=3000)
    import_file("/tmp/demo34.txt")
    plan = plan_query(SPEC, SearchQuery(text="pharmacie lunel"))
    body = api(world.member_a).get(reverse("api-directory-search"), {"q": "pharmacie lunel"}).json()
    open("/tmp/scratch_out2.txt", "w").write(
        repr(plan)
        + "\n"
        + "\n".join(repr((h["kind"], h["title"], h["distance_km"])) for h in body["results"][:10])
    )
