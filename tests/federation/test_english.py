"""English is really available: the language cookie switches the interface, French stays the default."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def _get(web, user, path, language=None):
    browser = web(user)
    if language:
        browser.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = browser.get(path)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("path", ["/", "/annuaire/"])
def test_english_cookie_switches_the_interface(world, web, path):
    page = _get(web, world.member_a, path, language="en")

    assert 'lang="en"' in page
    assert ">Directory</a>" in page
    assert '>Messaging <span class="badge nav-unread"' in page  # the link carries the unread badge
    assert ">Sign out</button>" in page
    assert "Annuaire" not in page
    assert "Se déconnecter" not in page


def test_english_directory_page(world, web):
    page = _get(web, world.member_a, "/annuaire/", language="en")

    assert "Shared directory of professionals" in page
    assert "Annuaire partagé des professionnels" not in page


@pytest.mark.parametrize("path", ["/", "/annuaire/"])
def test_french_without_cookie(world, web, path):
    page = _get(web, world.member_a, path)

    assert ">Annuaire</a>" in page
    assert ">Se déconnecter</button>" in page
    assert ">Directory</a>" not in page


def test_unknown_language_cookie_falls_back_to_french(world, web):
    page = _get(web, world.member_a, "/annuaire/", language="de")

    assert "Annuaire partagé des professionnels" in page
