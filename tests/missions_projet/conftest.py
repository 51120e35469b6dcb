import pytest

from directory.models import Profession
from missions.projet.register import services as register
from tests.directory.factories import PracticeSiteFactory, ProfessionalFactory, StructureFactory

PROFESSIONS = {"10": "Médecin", "21": "Pharmacien", "60": "Infirmier", "70": "Masseur-Kinésithérapeute"}


@pytest.fixture
def professions(db):
    return {
        code: Profession.objects.get_or_create(code=code, defaults={"label": label})[0]
        for code, label in PROFESSIONS.items()
    }


@pytest.fixture
def make_pro(professions):
    """`make_pro("10", user=None, communes=())`: a directory entry, practising in `communes`."""

    def make(code="10", *, user=None, communes=()):
        pro = ProfessionalFactory(profession=professions[code], user=user)
        for commune in communes:
            PracticeSiteFactory(professional=pro, commune=commune)
        return pro

    return make


@pytest.fixture
def make_structure(db):
    def make(kind="msp", **kwargs):
        return StructureFactory(kind=kind, **kwargs)

    return make


@pytest.fixture
def join(world):
    """`join(cpts, pro=…|structure=…)`: an active member, added by the coordination and consented."""

    def make(cpts, *, pro=None, structure=None, category=None):
        member = register.member_add(
            actor=None, cpts=cpts, professional=pro, structure=structure, category=category
        )
        return register.member_consent_record(actor=None, member=member, evidence="Bulletin d'adhésion signé")

    return make


def code_of(exc_info) -> str:
    """The stable code of a ServiceError, with or without a field (as the API would answer it)."""
    from federation.errors import service_error_body

    return service_error_body(exc_info.value)["code"]
