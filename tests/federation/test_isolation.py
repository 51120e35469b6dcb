"""Tenant isolation of the base layer. Later apps follow the same pattern: for each endpoint, a user
of another CPTS (or federation) gets 404, a member without the role gets 403."""

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


CPTS_PAGES = ["cpts-home"]
CPTS_API = ["api-cpts-detail", "api-cpts-territory", "api-cpts-members"]


@pytest.mark.parametrize("name", CPTS_PAGES)
def test_cpts_pages_are_private(world, web, name):
    url = reverse(name, kwargs={"cpts_slug": world.cpts_a.slug})
    assert web(world.member_a).get(url).status_code == 200
    assert web(world.member_b).get(url).status_code == 404
    assert web(world.outsider).get(url).status_code == 404
    assert web(world.staff).get(url).status_code == 200
    missing = reverse(name, kwargs={"cpts_slug": "n-existe-pas"})
    assert web(world.member_a).get(missing).status_code == 404
    assert web().get(url).status_code == 302  # to the login page


@pytest.mark.parametrize("name", CPTS_API)
def test_cpts_api_is_private(world, api, name):
    url = reverse(name, kwargs={"cpts_slug": world.cpts_a.slug})
    assert api(world.member_a).get(url).status_code == 200
    assert api(world.member_b).get(url).status_code == 404
    assert api(world.member_c).get(url).status_code == 404
    assert api(world.partner_delegate).get(url).status_code == 404
    assert api().get(url).status_code in (401, 403)


def test_territory_write_needs_a_coordinator(world, api):
    commune = factories.CommuneFactory()
    url = reverse("api-cpts-territory", kwargs={"cpts_slug": world.cpts_a.slug})
    assert api(world.member_a).post(url, {"add": [commune.pk]}, format="json").status_code == 403
    assert api(world.coordinator_b).post(url, {"add": [commune.pk]}, format="json").status_code == 404
    response = api(world.coordinator_a).post(url, {"add": [commune.pk]}, format="json")
    assert response.status_code == 200
    assert response.json()["population"] == commune.population


def test_territory_conflict_is_a_structured_error(world, api):
    commune = factories.CommuneFactory(name="Lunel")
    factories.CptsCommuneFactory(cpts=world.cpts_b, commune=commune)
    url = reverse("api-cpts-territory", kwargs={"cpts_slug": world.cpts_a.slug})
    response = api(world.coordinator_a).post(url, {"add": [commune.pk]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "commune_taken"
    assert "CPTS Bravo" in body["detail"]


def test_territory_conflict_shows_a_french_message_in_the_page(world, web):
    commune = factories.CommuneFactory(name="Lunel")
    factories.CptsCommuneFactory(cpts=world.cpts_b, commune=commune)
    url = reverse("cpts-territory-add", kwargs={"cpts_slug": world.cpts_a.slug})
    response = web(world.coordinator_a).post(url, {"communes": commune.pk}, follow=True)
    assert "appartient déjà à la CPTS « CPTS Bravo »" in response.content.decode()
    assert web(world.member_a).post(url, {"communes": commune.pk}).status_code == 403
    assert web(world.coordinator_b).post(url, {"communes": commune.pk}).status_code == 404


def test_cpts_list_shows_only_own_cpts(world, api):
    slugs = {c["slug"] for c in api(world.member_a).get(reverse("api-cpts-list")).json()["results"]}
    assert slugs == {"alpha"}


def test_federation_visibility(world, api, web):
    url = reverse("api-federation-detail", kwargs={"federation_slug": world.fed.slug})
    for user in (world.member_a, world.member_b, world.partner_delegate, world.fed_coordinator):
        assert api(user).get(url).status_code == 200, user
    for user in (world.member_c, world.outsider):
        assert api(user).get(url).status_code == 404, user
    page = reverse("federation-home", kwargs={"federation_slug": world.fed.slug})
    assert web(world.member_c).get(page).status_code == 404
    body = api(world.member_a).get(url).json()
    colleges = {(m["college"], (m["cpts"] or m["partner"]["slug"])) for m in body["members"]}
    assert colleges == {("cpts", "alpha"), ("cpts", "bravo"), ("partners", "dac-34")}


def test_federation_list_is_scoped(world, api):
    slugs = {f["slug"] for f in api(world.member_c).get(reverse("api-federation-list")).json()["results"]}
    assert slugs == {"inter-cpts-30"}
    assert api(world.outsider).get(reverse("api-federation-list")).json()["results"] == []


def test_cpts_list_query_count_does_not_grow(world, api, django_assert_max_num_queries):
    for _ in range(5):
        factories.MembershipFactory(user=world.member_a)
    with django_assert_max_num_queries(6):
        response = api(world.member_a).get(reverse("api-cpts-list"))
    assert len(response.json()["results"]) == 6


def test_coordinator_invites_a_new_person_by_email(
    world, api, mailoutbox, django_capture_on_commit_callbacks
):
    url = reverse("api-cpts-members", kwargs={"cpts_slug": world.cpts_a.slug})
    payload = {"email": "Nouvelle.IDE@example.org", "role": "member", "display_name": "Inès Durand"}
    assert api(world.member_a).post(url, payload, format="json").status_code == 403
    assert api(world.coordinator_b).post(url, payload, format="json").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.coordinator_a).post(url, payload, format="json")
    assert response.status_code == 201
    # An invitation, not a membership: nobody joins without accepting (issue 17, item 4).
    assert response.json()["email"] == "nouvelle.ide@example.org" and response.json()["status"] == "pending"
    assert not world.cpts_a.memberships.filter(user__email="nouvelle.ide@example.org").exists()
    assert len(mailoutbox) == 1
    assert "/invitation/" in mailoutbox[0].body
    bad = api(world.coordinator_a).post(url, {"email": "pas-une-adresse", "role": "chef"}, format="json")
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"email", "role"}


def test_coordinator_changes_a_role_and_removes_a_member(world, api):
    url = reverse(
        "api-cpts-member-detail", kwargs={"cpts_slug": world.cpts_a.slug, "user_id": world.member_a.pk}
    )
    assert api(world.member_a).patch(url, {"role": "bureau"}, format="json").status_code == 403
    foreign = reverse(
        "api-cpts-member-detail", kwargs={"cpts_slug": world.cpts_a.slug, "user_id": world.member_b.pk}
    )
    assert api(world.coordinator_a).delete(foreign).status_code == 404
    assert api(world.coordinator_a).patch(url, {"role": "bureau"}, format="json").json()["role"] == "bureau"
    assert api(world.coordinator_a).delete(url).status_code == 204
    assert (
        api(world.member_a).get(reverse("api-cpts-detail", kwargs={"cpts_slug": "alpha"})).status_code == 404
    )


def test_invite_form_in_the_page(world, web):
    url = reverse("cpts-members", kwargs={"cpts_slug": world.cpts_a.slug})
    response = web(world.coordinator_a).post(url, {"email": "x", "role": "member"}, follow=True)
    assert "Saisissez une adresse e-mail valide" in response.content.decode()
    sent = web(world.coordinator_a).post(url, {"email": "kine@example.org", "role": "member"}, follow=True)
    assert "Invitation envoyée à kine@example.org" in sent.content.decode()
    assert world.cpts_a.invitations.filter(email="kine@example.org", status="pending").exists()
    assert not world.cpts_a.memberships.filter(user__email="kine@example.org").exists()
    assert web(world.member_a).post(url, {"email": "y@example.org", "role": "member"}).status_code == 403
