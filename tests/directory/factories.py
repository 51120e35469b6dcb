import factory

from directory.models import PracticeSite, Profession, Professional, ProfessionalCpts, Structure


class ProfessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profession
        django_get_or_create = ("code",)

    code = "70"
    label = "Masseur-Kinésithérapeute"


class ProfessionalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Professional

    national_id = factory.Sequence(lambda n: f"8{10000000000 + n}")
    id_type = "8"
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    profession = factory.SubFactory(ProfessionFactory)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Maison de santé {n}")
    kind = Structure.Kind.MSP


class PracticeSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeSite

    professional = factory.SubFactory(ProfessionalFactory)
    name = "Cabinet"
    commune = None
    latitude = factory.LazyAttribute(lambda o: o.commune.latitude if o.commune else None)
    longitude = factory.LazyAttribute(lambda o: o.commune.longitude if o.commune else None)


class ProfessionalCptsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProfessionalCpts

    professional = factory.SubFactory(ProfessionalFactory)
