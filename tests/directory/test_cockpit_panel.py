"""The directory's panel of the federation cockpit (issue 18): open error reports on the entries of the
federation's member CPTS, in a fixed number of queries, each linking to the entry."""

import pytest
from django.urls import reverse

from directory.cockpit import error_reports_panel
from directory.models import ErrorReport
from federation import cockpit
from tests.directory.factories import ProfessionalCptsFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(world):
    def report(cpts, message, status=ErrorReport.Status.OPEN):
        link = ProfessionalCptsFactory(cpts=cpts)
        return ErrorReport.objects.create(
            professional=link.professional, reporter=world.member_b, message=message, status=status
        )

    made = {
        "alpha": report(world.cpts_a, "Téléphone erroné"),
        "bravo": report(world.cpts_b, "Le cabinet a déménagé"),
        "resolved": report(world.cpts_a, "Déjà traité", ErrorReport.Status.RESOLVED),
        "other_federation": report(world.cpts_c, "Adresse fausse"),
    }
    structure = StructureFactory(name="MSP du Centre")
    structure.cpts_links.create(cpts=world.cpts_a)
    made["structure"] = ErrorReport.objects.create(
        structure=structure, reporter=world.member_a, message="FINESS faux"
    )
    return made


def test_the_panel_lists_open_reports_of_the_federation_in_two_queries(
    world, reports, django_assert_num_queries
):
    with django_assert_num_queries(2):
        data = error_reports_panel(world.fed, world.fed_coordinator)
    assert data.count == 3
    labels = {item.label for item in data.items}
    assert labels == {str(reports["alpha"].professional), str(reports["bravo"].professional), "MSP du Centre"}
    urls = {item.url for item in data.items}
    assert reverse("directory-professional", args=[reports["alpha"].professional_id]) in urls
    assert reverse("directory-structure", args=[reports["structure"].structure_id]) in urls
    for _ in range(5):  # more CPTS' reports: still two queries
        ErrorReport.objects.create(
            professional=ProfessionalCptsFactory(cpts=world.cpts_b).professional,
            reporter=world.member_a,
            message="x",
        )
    with django_assert_num_queries(2):
        assert error_reports_panel(world.fed, world.fed_coordinator).count == 8


def test_the_panel_is_registered_for_the_federation_and_says_what_to_do_when_empty(world):
    panel = next(p for p in cockpit.panels(cockpit.Panel.FEDERATION) if p.key == "directory.error_reports")
    data = panel.build(world.fed, world.fed_coordinator)
    assert data.count == 0 and "Aucun signalement" in data.empty


def test_the_cockpit_page_shows_the_panel(world, web, reports):
    page = (
        web(world.fed_coordinator).get(reverse("federation-cockpit", args=[world.fed.slug])).content.decode()
    )
    assert "Annuaire : signalements d" in page and "Téléphone erroné" in page
    assert "Adresse fausse" not in page  # another federation's
