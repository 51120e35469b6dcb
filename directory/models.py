"""The shared professional directory: professionals, practice sites, structures, CPTS memberships,
per-field visibility, change history and import runs.

Imported fields come from the national open-data extraction (public data); optional fields are filled
by the professional or a coordinator, each with its own visibility.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from directory.validators import (
    validate_finess,
    validate_national_id,
    validate_siren,
    validate_siret,
)
from federation.models import Commune, Cpts


class Visibility(models.TextChoices):
    FEDERATION = "federation", _("Toute la fédération")
    CPTS = "cpts", _("Ma CPTS seulement")
    HIDDEN = "hidden", _("Masqué")


class Profession(models.Model):
    """Nomenclature TRE_G15 (10 Médecin, 60 Infirmier, 70 Masseur-kinésithérapeute, …)."""

    code = models.CharField(_("code TRE_G15"), max_length=10, primary_key=True)
    label = models.CharField(_("libellé"), max_length=150)

    class Meta:
        ordering = ["label"]
        verbose_name = _("profession")

    def __str__(self) -> str:
        return self.label


class Specialty(models.Model):
    """Savoir-faire (TRE_R38 specialties, competences, DESC, …): code + kind of savoir-faire."""

    code = models.CharField(_("code"), max_length=20, primary_key=True)
    label = models.CharField(_("libellé"), max_length=200)
    kind_code = models.CharField(_("code type de savoir-faire"), max_length=10, blank=True)
    kind_label = models.CharField(_("type de savoir-faire"), max_length=150, blank=True)

    class Meta:
        ordering = ["label"]
        verbose_name = _("savoir-faire")
        verbose_name_plural = _("savoir-faire")

    def __str__(self) -> str:
        return self.label


class ExerciseMode(models.TextChoices):
    LIBERAL = "L", _("Libéral")
    SALARIED = "S", _("Salarié")
    VOLUNTEER = "B", _("Bénévole")


class Professional(models.Model):
    """A health professional, keyed by the national id (8 + RPPS, or 0 + ADELI)."""

    class IdType(models.TextChoices):
        RPPS = "8", _("RPPS")
        ADELI = "0", _("ADELI")

    # Optional fields whose visibility the professional chooses (default: federation).
    OPTIONAL_FIELDS = (
        "mobile_phone",
        "email",
        "mssante",
        "languages",
        "skills",
        "interests",
        "accepts_new_patients",
        "takes_part_in_snp",
        "takes_part_in_sas",
        "hosts_trainees",
    )

    national_id = models.CharField(
        _("identifiant national"), max_length=12, unique=True, validators=[validate_national_id]
    )
    id_type = models.CharField(_("type d'identifiant"), max_length=1, choices=IdType.choices)
    civility = models.CharField(_("civilité"), max_length=20, blank=True)
    last_name = models.CharField(_("nom d'exercice"), max_length=150)
    first_name = models.CharField(_("prénom d'exercice"), max_length=150, blank=True)
    profession = models.ForeignKey(
        Profession, on_delete=models.PROTECT, related_name="professionals", verbose_name=_("profession")
    )
    category = models.CharField(_("catégorie professionnelle"), max_length=50, blank=True)
    specialties = models.ManyToManyField(
        Specialty, blank=True, related_name="professionals", verbose_name=_("savoir-faire")
    )
    # Optional fields (filled by the professional or a coordinator).
    mobile_phone = models.CharField(_("téléphone direct"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mssante = models.EmailField(_("adresse MSSanté"), blank=True)
    languages = models.CharField(_("langues parlées"), max_length=200, blank=True)
    skills = models.TextField(_("compétences (y compris non cliniques)"), blank=True)
    interests = models.TextField(_("appétences"), blank=True)
    accepts_new_patients = models.BooleanField(
        _("accepte de nouveaux patients (médecin traitant)"), null=True, blank=True
    )
    takes_part_in_snp = models.BooleanField(_("participe aux soins non programmés"), default=False)
    takes_part_in_sas = models.BooleanField(_("participe au SAS"), default=False)
    hosts_trainees = models.BooleanField(_("accueille des stagiaires"), default=False)
    visibility = models.JSONField(_("visibilité des champs"), default=dict, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="professional",
        verbose_name=_("compte utilisateur"),
    )
    cpts = models.ManyToManyField(
        Cpts, through="ProfessionalCpts", blank=True, related_name="professionals", verbose_name=_("CPTS")
    )
    # Digest of the imported record: an unchanged record is skipped on re-import.
    import_digest = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("professionnel·le")
        verbose_name_plural = _("professionnel·le·s")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def identifier(self) -> str:
        return self.national_id[1:]

    def visibility_of(self, field: str) -> str:
        return self.visibility.get(field, Visibility.FEDERATION)


class Structure(models.Model):
    """An organisation where professionals practise (MSP, ESP, centre de santé, hospital, …)."""

    class Kind(models.TextChoices):
        MSP = "msp", _("Maison de santé pluriprofessionnelle (MSP)")
        ESP = "esp", _("Équipe de soins primaires (ESP)")
        HEALTH_CENTRE = "centre_sante", _("Centre de santé")
        HOSPITAL = "hospital", _("Établissement de santé")
        EHPAD = "ehpad", _("EHPAD")
        SSIAD = "ssiad", _("SSIAD")
        HAD = "had", _("HAD")
        DAC = "dac", _("DAC")
        PHARMACY = "pharmacy", _("Officine")
        LABORATORY = "laboratory", _("Laboratoire")
        PRACTICE = "practice", _("Cabinet")
        OTHER = "other", _("Autre")

    OPTIONAL_FIELDS = ("referent_name", "referent_phone", "email", "mssante")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.PRACTICE)
    name = models.CharField(_("raison sociale"), max_length=250)
    trade_name = models.CharField(_("enseigne"), max_length=250, blank=True)
    # "Identifiant technique de la structure" of the extraction: the import's key.
    source_id = models.CharField(
        _("identifiant technique"), max_length=50, null=True, blank=True, unique=True
    )
    finess = models.CharField(_("FINESS site"), max_length=9, blank=True, validators=[validate_finess])
    finess_legal = models.CharField(
        _("FINESS juridique"), max_length=9, blank=True, validators=[validate_finess]
    )
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    # The legal entity (FINESS juridique) this establishment belongs to, itself a structure of the
    # directory (a hospital group, a company running several pharmacies).
    legal_entity = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="establishments",
        verbose_name=_("entité juridique"),
    )
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="structures"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    mssante = models.EmailField(_("adresse MSSanté"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    referent_name = models.CharField(_("personne référente"), max_length=150, blank=True)
    referent_phone = models.CharField(_("ligne directe du référent"), max_length=30, blank=True)
    services = models.TextField(_("missions et services"), blank=True)
    public_served = models.TextField(_("public accueilli"), blank=True)
    coverage = models.TextField(_("couverture géographique"), blank=True)
    care_modalities = models.TextField(_("modalités de prise en charge"), blank=True)
    visibility = models.JSONField(_("visibilité des champs"), default=dict, blank=True)
    cpts = models.ManyToManyField(
        Cpts, through="StructureCpts", blank=True, related_name="structures", verbose_name=_("CPTS")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("structure")

    def __str__(self) -> str:
        return self.trade_name or self.name

    def visibility_of(self, field: str) -> str:
        return self.visibility.get(field, Visibility.FEDERATION)


class PracticeSite(models.Model):
    """One activity of a professional: a place, a mode of practice, contact details."""

    # No index of its own: the unique (professional, source_key) constraint below starts with it.
    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, related_name="sites", db_index=False
    )
    # Key of the activity within the extraction (structure id or address digest); null when manual.
    source_key = models.CharField(max_length=64, null=True, blank=True)
    structure = models.ForeignKey(
        Structure, on_delete=models.SET_NULL, null=True, blank=True, related_name="sites"
    )
    mode = models.CharField(_("mode d'exercice"), max_length=1, choices=ExerciseMode.choices, blank=True)
    sector = models.CharField(_("secteur d'activité"), max_length=150, blank=True)
    name = models.CharField(_("nom du site"), max_length=250, blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="practice_sites"
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    phone2 = models.CharField(_("téléphone 2"), max_length=30, blank=True)
    fax = models.CharField(_("télécopie"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), max_length=200, blank=True)
    mssante = models.EmailField(_("adresse MSSanté"), blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("lieu d'exercice")
        verbose_name_plural = _("lieux d'exercice")
        constraints = [
            models.UniqueConstraint(
                fields=["professional", "source_key"], name="site_source_key_per_professional"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name or self.address} — {self.commune.name if self.commune_id else ''}"


class ProfessionalCpts(models.Model):
    professional = models.ForeignKey(Professional, on_delete=models.CASCADE, related_name="cpts_links")
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="professional_links")
    since = models.DateField(_("membre depuis"), auto_now_add=True)

    class Meta:
        verbose_name = _("adhésion d'un·e professionnel·le à une CPTS")
        constraints = [models.UniqueConstraint(fields=["professional", "cpts"], name="one_pro_cpts_link")]

    def __str__(self) -> str:
        return f"{self.professional_id} → {self.cpts_id}"


class StructureCpts(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="cpts_links")
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="structure_links")
    since = models.DateField(_("membre depuis"), auto_now_add=True)

    class Meta:
        verbose_name = _("adhésion d'une structure à une CPTS")
        constraints = [models.UniqueConstraint(fields=["structure", "cpts"], name="one_structure_cpts_link")]

    def __str__(self) -> str:
        return f"{self.structure_id} → {self.cpts_id}"


class EntryChange(models.Model):
    """Change history of an entry: who, when, what (field → [old, new])."""

    class Source(models.TextChoices):
        EDIT = "edit", _("Modification")
        IMPORT = "import", _("Import RPPS")

    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="changes"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.EDIT)
    at = models.DateTimeField(_("date"), auto_now_add=True)
    changes = models.JSONField(_("changements"), default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("modification d'une fiche")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_source_display()}"


class ErrorReport(models.Model):
    """ "Signaler une erreur » on an entry; handled by the coordinators of the entry's CPTS or staff."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        RESOLVED = "resolved", _("Traité")

    professional = models.ForeignKey(
        Professional, on_delete=models.CASCADE, null=True, blank=True, related_name="error_reports"
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="error_reports"
    )
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    message = models.TextField(_("description de l'erreur"), max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("signalement d'erreur")

    def __str__(self) -> str:
        return self.message[:60]


class ImportRun(models.Model):
    """One run of `import_rpps` (command or staff upload): counts and rejected lines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    file_name = models.CharField(max_length=300)
    departments = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    counts = models.JSONField(default=dict)
    rejected = models.JSONField(default=list)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import RPPS")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
