import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from federation.models import CptsRole
from shared_actions.campaigns import services as campaign_services
from shared_actions.meetings import agenda
from shared_actions.meetings.agenda import AgendaEntry
from shared_actions.models import Campaign
from tests import factories
from tests.shared_actions.conftest import unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture
def third(world):
    """A third member CPTS of the Hérault federation, with its coordinator."""
    cpts = factories.CptsFactory(name="CPTS Echo", slug="echo")
    factories.FederationMemberFactory(federation=world.fed, cpts=cpts)
    coordinator = factories.MembershipFactory(
        cpts=cpts, role=CptsRole.COORDINATOR, user=factories.UserFactory(email="coord@echo.example.org")
    ).user
    return cpts, coordinator


@pytest.fixture
def flu(world, third):
    start = timezone.localdate().replace(day=1)
    return campaign_services.campaign_create(
        actor=world.fed_coordinator,
        federation=world.fed,
        title="Vaccination antigrippale 2026",
        theme="vaccination_grippe",
        start_date=start,
        end_date=start + dt.timedelta(days=75),
        lead_cpts=world.cpts_a,
        participants=[world.cpts_a, world.cpts_b, third[0]],
        target_population="Personnes de 65 ans et plus, professionnels de santé",
        objectives="Augmenter la couverture vaccinale de 5 points",
    )


def test_flu_campaign_with_three_cpts_collects_values_and_shows_charts(world, api, web, third, flu):
    echo, echo_coordinator = third
    client = api(world.coordinator_a)  # the lead CPTS manages the campaign
    indicator = client.post(
        reverse("api-actions-campaign-indicators", args=[flu.pk]),
        {"name": "Personnes vaccinées", "unit": "personnes", "target": "3000"},
        format="json",
    )
    assert indicator.status_code == 201, indicator.content
    indicator_id = indicator.json()["id"]
    url = reverse("api-actions-indicator-values", args=[flu.pk, indicator_id])
    day1 = flu.start_date + dt.timedelta(days=7)
    day2 = flu.start_date + dt.timedelta(days=14)
    for user, slug, values in (
        (world.coordinator_a, "alpha", ("400", "900")),
        (world.coordinator_b, "bravo", ("300", "600")),
        (echo_coordinator, "echo", ("150", "450")),
    ):
        for day, value in zip((day1, day2), values, strict=True):
            response = api(user).post(
                url, {"cpts": slug, "date": day.isoformat(), "value": value}, format="json"
            )
            assert response.status_code == 201, response.content
    # A CPTS reports only for itself; members without the role cannot report.
    assert (
        api(world.coordinator_b)
        .post(url, {"cpts": "alpha", "date": day2.isoformat(), "value": "1"}, format="json")
        .status_code
        == 403
    )
    assert (
        api(world.member_b)
        .post(url, {"cpts": "bravo", "date": day2.isoformat(), "value": "1"}, format="json")
        .status_code
        == 403
    )
    # Correcting a value of the same day replaces it.
    api(world.coordinator_b).post(
        url, {"cpts": "bravo", "date": day2.isoformat(), "value": "650"}, format="json"
    )

    dashboard = api(world.member_b).get(reverse("api-actions-campaign-dashboard", args=[flu.pk]))
    assert dashboard.status_code == 200
    data = dashboard.json()[0]
    per_cpts = {
        p["label"]: (Decimal(p["value"]), Decimal(p["target"]), p["percent"]) for p in data["per_cpts"]
    }
    assert per_cpts == {
        "CPTS Alpha": (Decimal(900), Decimal(1000), 90),
        "CPTS Bravo": (Decimal(650), Decimal(1000), 65),
        "CPTS Echo": (Decimal(450), Decimal(1000), 45),
    }
    assert Decimal(data["overall"]["value"]) == 2000
    assert data["overall"]["percent"] == 67
    assert [(s["date"], Decimal(s["value"])) for s in data["series"]] == [
        (day1.isoformat(), Decimal(850)),
        (day2.isoformat(), Decimal(2000)),
    ]

    page = web(world.member_b).get(reverse("actions-campaign", args=[flu.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<svg") == 2  # progress per CPTS + total over time
    assert "Personnes vaccinées" in html
    assert "900 / 1000 (90 %)" in html
    assert "2000 / 3000 (67 %)" in html
    assert "<polyline" in html


def test_chart_texts_are_escaped(world, web, flu):
    campaign_services.indicator_create(
        actor=world.fed_coordinator, campaign=flu, name="<script>alert(1)</script>", target=10
    )
    html = web(world.member_a).get(reverse("actions-campaign", args=[flu.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_actions_and_shared_checklist(world, api, web, flu):
    action = api(world.coordinator_b).post(
        reverse("api-actions-campaign-actions", args=[flu.pk]),
        {
            "title": "Journée de vaccination en pharmacie",
            "date": (flu.start_date + dt.timedelta(days=10)).isoformat(),
            "cpts": "bravo",
            "place": "Place de la mairie",
            "resources": "2 infirmiers, 200 doses",
            "person_in_charge": world.member_b.pk,
            "task_labels": ["Commander les doses", "Affiches"],
        },
        format="json",
    )
    assert action.status_code == 201, action.content
    tasks = action.json()["tasks"]
    assert [t["label"] for t in tasks] == ["Commander les doses", "Affiches"]
    # Any member of a participating CPTS ticks the checklist; a CPTS of another federation cannot see it.
    tick = api(world.member_a).patch(
        reverse("api-actions-task", args=[tasks[0]["id"]]), {"done": True}, format="json"
    )
    assert tick.status_code == 200 and tick.json()["done"] is True
    assert (
        api(world.member_c)
        .patch(reverse("api-actions-task", args=[tasks[0]["id"]]), {"done": True}, format="json")
        .status_code
        == 404
    )
    assert (
        api(world.partner_delegate)
        .patch(reverse("api-actions-task", args=[tasks[0]["id"]]), {"done": False}, format="json")
        .status_code
        == 403
    )
    # Another CPTS's coordinator cannot plan an action for Bravo.
    other = api(world.coordinator_a).post(
        reverse("api-actions-campaign-actions", args=[flu.pk]),
        {"title": "x", "date": flu.start_date.isoformat(), "cpts": "bravo"},
        format="json",
    )
    assert other.status_code == 201  # Alpha leads the campaign: it manages it
    with unchanged():
        refused = api(world.member_a).post(
            reverse("api-actions-campaign-actions", args=[flu.pk]),
            {"title": "x", "date": flu.start_date.isoformat(), "cpts": "alpha"},
            format="json",
        )
        assert refused.status_code == 403


def test_campaign_creation_rules(world, api):
    url = reverse("api-actions-campaigns")
    today = timezone.localdate()
    payload = {
        "federation": world.fed.slug,
        "title": "Mois sans tabac",
        "theme": "mois_sans_tabac",
        "start_date": today.isoformat(),
        "end_date": (today + dt.timedelta(days=30)).isoformat(),
        "lead_cpts": "bravo",
        "participants": ["alpha", "bravo"],
    }
    with unchanged():
        assert api(world.member_b).post(url, payload, format="json").status_code == 403
        assert api(world.coordinator_a).post(url, payload, format="json").status_code == 403  # not the lead
        assert api(world.member_c).post(url, payload, format="json").status_code == 404
    response = api(world.coordinator_b).post(url, payload, format="json")
    assert response.status_code == 201, response.content
    outside = api(world.fed_coordinator).post(
        url, {**payload, "participants": ["alpha", "charlie"]}, format="json"
    )
    assert outside.status_code == 400 and outside.json()["code"] == "participant_outside"
    assert Campaign.objects.count() == 1


def test_materials_are_shared_documents(world, api, flu):
    from tests.shared_actions import factories as docs

    document = docs.document(
        world.fed_coordinator, federation=world.fed, visibility="federation", title="Affiche"
    )
    response = api(world.coordinator_a).post(
        reverse("api-actions-campaign-materials", args=[flu.pk]), {"document": document.pk}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["materials"] == [document.pk]
    private = docs.document(world.coordinator_b, cpts=world.cpts_b, title="Interne Bravo")
    assert (
        api(world.coordinator_a)
        .post(
            reverse("api-actions-campaign-materials", args=[flu.pk]), {"document": private.pk}, format="json"
        )
        .status_code
        == 404
    )


def test_department_calendar_month_view_filters_and_ics(world, api, web, flu):
    day = flu.start_date + dt.timedelta(days=3)
    campaign_services.campaign_action_create(
        actor=world.coordinator_b, campaign=flu, title="Vaccination en EHPAD", date=day, cpts=world.cpts_b
    )
    campaign_services.campaign_action_create(
        actor=world.coordinator_a, campaign=flu, title="Stand marché de Lunel", date=day, cpts=world.cpts_a
    )
    month = flu.start_date.strftime("%Y-%m")
    page = web(world.member_a).get(reverse("actions-agenda", args=[world.fed.slug]), {"month": month})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Vaccination en EHPAD" in html and "Stand marché de Lunel" in html and flu.title in html
    filtered = (
        web(world.member_a)
        .get(reverse("actions-agenda", args=[world.fed.slug]), {"month": month, "cpts": "bravo"})
        .content.decode()
    )
    assert "Vaccination en EHPAD" in filtered and "Stand marché de Lunel" not in filtered
    other_theme = (
        web(world.member_a)
        .get(reverse("actions-agenda", args=[world.fed.slug]), {"month": month, "theme": "octobre_rose"})
        .content.decode()
    )
    assert "Vaccination en EHPAD" not in other_theme
    ics = web(world.member_a).get(reverse("actions-agenda-ics", args=[world.fed.slug]), {"month": month})
    events = list(Calendar.from_ical(ics.content).walk("VEVENT"))
    assert {str(e["SUMMARY"]) for e in events} >= {"Vaccination en EHPAD", "Stand marché de Lunel", flu.title}
    api_entries = api(world.partner_delegate).get(
        reverse("api-actions-agenda", args=[world.fed.slug]), {"month": month, "kind": "action"}
    )
    assert api_entries.status_code == 200
    assert {e["title"] for e in api_entries.json()} == {"Vaccination en EHPAD", "Stand marché de Lunel"}
    assert web(world.member_c).get(reverse("actions-agenda", args=[world.fed.slug])).status_code == 404
    assert api(world.member_c).get(reverse("api-actions-agenda", args=[world.fed.slug])).status_code == 404


def test_agenda_takes_another_source_in_one_function(world, web, monkeypatch):
    """The governance integration point: one function appended to AGENDA_SOURCES."""
    today = timezone.localdate()

    def governance(user, federation, first_day, last_day):
        return [
            AgendaEntry(
                uid="ag-1",
                kind="governance",
                kind_label="Assemblée générale",
                title="AG ordinaire",
                start=today,
                url="/gouvernance/",
            )
        ]

    monkeypatch.setattr(agenda, "AGENDA_SOURCES", [*agenda.AGENDA_SOURCES, governance])
    html = web(world.member_a).get(reverse("actions-agenda", args=[world.fed.slug])).content.decode()
    assert "AG ordinaire" in html


def test_campaign_pages(world, web, flu):
    assert web(world.member_b).get(reverse("actions-campaigns")).status_code == 200
    commune = factories.CommuneFactory(insee_code="34145", name="Lunel")
    web(world.coordinator_a).post(
        reverse("actions-campaign-action", args=[flu.pk]),
        {"title": "Stand", "date": flu.start_date.isoformat(), "cpts": world.cpts_a.pk, "commune": "34145"},
    )
    assert flu.actions.get().commune == commune
    flu.actions.all().delete()
    bad = web(world.coordinator_a).post(
        reverse("actions-campaign-action", args=[flu.pk]),
        {"title": "Stand", "date": flu.start_date.isoformat(), "cpts": world.cpts_a.pk, "commune": "99999"},
        follow=True,
    )
    assert "Code INSEE inconnu" in bad.content.decode()
    response = web(world.coordinator_b).post(
        reverse("actions-campaign-action", args=[flu.pk]),
        {
            "title": "Affichage en pharmacie",
            "date": flu.start_date.isoformat(),
            "cpts": world.cpts_b.pk,
            "tasks": "Imprimer\nDistribuer",
        },
        follow=True,
    )
    assert "Action ajoutée" in response.content.decode()
    assert flu.actions.get().tasks.count() == 2


def test_material_attached_from_the_page(world, web, flu):
    from tests.shared_actions import factories as docs

    document = docs.document(
        world.fed_coordinator, federation=world.fed, visibility="partners", title="Dépliant"
    )
    page = web(world.coordinator_a).get(reverse("actions-campaign", args=[flu.pk])).content.decode()
    assert "Joindre un document partagé" in page
    web(world.coordinator_a).post(
        reverse("actions-campaign-material", args=[flu.pk]), {"document": document.pk}
    )
    assert list(flu.materials.all()) == [document]
    assert (
        web(world.member_b)
        .post(reverse("actions-campaign-material", args=[flu.pk]), {"document": document.pk})
        .status_code
        == 403
    )


def test_campaign_form_explains_who_may_create(world, web):
    today = timezone.localdate()
    response = web(world.coordinator_a).post(
        reverse("actions-campaigns"),
        {
            "title": "Octobre rose",
            "theme": "octobre_rose",
            "federation": world.fed.pk,
            "start_date": today.isoformat(),
            "end_date": today.isoformat(),
            "lead_cpts": world.cpts_b.pk,
            "participants": [world.cpts_a.pk, world.cpts_b.pk],
        },
        follow=True,
    )
    assert "CPTS pilote peuvent créer" in response.content.decode()
    assert not Campaign.objects.exists()
    response = web(world.coordinator_a).post(
        reverse("actions-campaigns"),
        {
            "title": "Octobre rose",
            "theme": "octobre_rose",
            "federation": world.fed.pk,
            "start_date": today.isoformat(),
            "end_date": today.isoformat(),
            "lead_cpts": world.cpts_a.pk,
            "participants": [world.cpts_a.pk, world.cpts_b.pk],
        },
        follow=True,
    )
    assert "Campagne créée" in response.content.decode()
