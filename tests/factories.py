"""factory_boy factories for the base layer. Feature apps add theirs in tests/<app>/factories.py."""

import factory
from django.utils.text import slugify

from federation.models import (
    College,
    Commune,
    Cpts,
    CptsCommune,
    CptsRole,
    Departement,
    Federation,
    FederationMember,
    FederationRole,
    MaturityStage,
    Membership,
    Partner,
    User,
)

PASSWORD = "mot-de-passe-de-test-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Faker("name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "34"
    name = "Hérault"
    region_code = "76"


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    insee_code = factory.Sequence(lambda n: f"{90000 + n}")
    name = factory.Faker("city", locale="fr_FR")
    departement = factory.SubFactory(DepartementFactory)
    population = 5000
    latitude = 43.6
    longitude = 3.9


class FederationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Federation

    name = factory.Sequence(lambda n: f"Inter-CPTS {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    departement = factory.SubFactory(DepartementFactory)


class CptsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cpts

    name = factory.Sequence(lambda n: f"CPTS Test {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    maturity_stage = MaturityStage.ACI_SIGNED


class CptsCommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CptsCommune

    cpts = factory.SubFactory(CptsFactory)
    commune = factory.SubFactory(CommuneFactory)


class FederationMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FederationMember

    federation = factory.SubFactory(FederationFactory)
    college = College.CPTS
    cpts = factory.SubFactory(CptsFactory)
    partner = None


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        skip_postgeneration_save = True

    federation = factory.SubFactory(FederationFactory)
    name = factory.Sequence(lambda n: f"Partenaire {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Partner.Kind.DAC
    membership = factory.RelatedFactory(
        FederationMemberFactory,
        factory_related_name="partner",
        federation=factory.SelfAttribute("..federation"),
        college=College.PARTNERS,
        cpts=None,
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    cpts = factory.SubFactory(CptsFactory)
    role = CptsRole.MEMBER


class FederationRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FederationRole

    user = factory.SubFactory(UserFactory)
    federation = factory.SubFactory(FederationFactory)
    role = FederationRole.Role.COORDINATOR
    partner = None
