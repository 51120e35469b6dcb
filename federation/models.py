"""The base layer: accounts, territory, federations, CPTS, partners, memberships and roles.

Every tenant-owned row elsewhere carries a foreign key to `Cpts` or `Federation` (row-level tenancy).
"""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


# --- accounts -------------------------------------------------------------------------------------
class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # E-mail addresses are case-insensitive for sign-in.
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. A directory professional links to a user from the directory side."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    display_name = models.CharField(_("nom affiché"), max_length=150, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("équipe technique"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email


# --- territory (INSEE reference data, loaded by `load_territories`) --------------------------------
class Departement(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    region_code = models.CharField(_("code région"), max_length=3, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("département")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    code = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """A commune (or a municipal arrondissement of Paris, Lyon, Marseille), keyed by its INSEE code."""

    insee_code = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=150)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", verbose_name=_("département")
    )
    epci = models.ForeignKey(Epci, on_delete=models.SET_NULL, null=True, blank=True, related_name="communes")
    population = models.PositiveIntegerField(_("population municipale"), default=0)
    postal_codes = models.CharField(_("codes postaux"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("commune")

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


# --- federations, CPTS, partners ------------------------------------------------------------------
class MaturityStage(models.TextChoices):
    PROJECT = "project", _("En projet")
    LETTER_OF_INTENT = "letter_of_intent", _("Lettre d'intention validée")
    PREFIGURATION = "prefiguration", _("Association de préfiguration")
    HEALTH_PROJECT = "health_project", _("Projet de santé validé")
    ACI_SIGNED = "aci_signed", _("ACI signé")

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


class Federation(models.Model):
    """An inter-CPTS association federating the CPTS of one département (seed 004)."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="federations")
    # Statutes setting: the stage at which a CPTS may join (DOMAIN.md); the other blanks of the
    # model statutes live in the governance app.
    min_join_stage = models.CharField(
        _("stade minimal d'adhésion"),
        max_length=20,
        choices=MaturityStage.choices,
        default=MaturityStage.PREFIGURATION,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fédération inter-CPTS")
        verbose_name_plural = _("fédérations inter-CPTS")

    def __str__(self) -> str:
        return self.name


class Cpts(models.Model):
    class LegalStatus(models.TextChoices):
        NONE = "none", _("Pas encore constituée")
        ASSOCIATION_1901 = "association_1901", _("Association loi 1901")

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    legal_status = models.CharField(
        _("statut juridique"),
        max_length=20,
        choices=LegalStatus.choices,
        default=LegalStatus.ASSOCIATION_1901,
    )
    maturity_stage = models.CharField(
        _("stade de maturité"),
        max_length=20,
        choices=MaturityStage.choices,
        default=MaturityStage.PROJECT,
    )
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail de contact"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("CPTS")
        verbose_name_plural = _("CPTS")

    def __str__(self) -> str:
        return self.name


class CptsCommune(models.Model):
    """A commune of a CPTS territory. The unique commune enforces "une commune ne peut pas se
    retrouver sur deux CPTS" in the database itself."""

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="territory")
    commune = models.OneToOneField(Commune, on_delete=models.PROTECT, related_name="cpts_link")

    class Meta:
        verbose_name = _("commune du territoire")

    def __str__(self) -> str:
        return f"{self.commune} — {self.cpts}"


class Partner(models.Model):
    """A partner organisation of a federation: it sits in the consultative partners college."""

    class Kind(models.TextChoices):
        DAC = "dac", _("DAC (dispositif d'appui à la coordination)")
        GRADES = "grades", _("GRADeS (e-santé régional)")
        USERS = "users", _("Association d'usagers agréée")
        URPS = "urps", _("URPS")
        HOSPITAL = "hospital", _("Établissement de santé / GHT")
        CPAM = "cpam", _("CPAM / Assurance Maladie")
        ARS = "ars", _("ARS (observateur)")
        LOCAL_AUTHORITY = "local_authority", _("Collectivité territoriale")
        OTHER = "other", _("Autre")

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partenaire")
        constraints = [
            models.UniqueConstraint(fields=["federation", "slug"], name="partner_slug_per_federation")
        ]

    def __str__(self) -> str:
        return self.name


class College(models.TextChoices):
    CPTS = "cpts", _("Collège des CPTS (voix délibérative)")
    PARTNERS = "partners", _("Collège des partenaires (voix consultative)")


class FederationMember(models.Model):
    """Membership of a CPTS or a partner in a federation, with its college and dates.

    A CPTS belongs to at most one federation at a time; it may belong to none.
    """

    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="members")
    college = models.CharField(_("collège"), max_length=10, choices=College.choices)
    cpts = models.ForeignKey(
        Cpts, on_delete=models.CASCADE, null=True, blank=True, related_name="federation_memberships"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    joined_on = models.DateField(_("adhésion le"), default=timezone.localdate)
    left_on = models.DateField(_("départ le"), null=True, blank=True)

    class Meta:
        verbose_name = _("membre de la fédération")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(college="cpts", cpts__isnull=False, partner__isnull=True)
                    | Q(college="partners", cpts__isnull=True, partner__isnull=False)
                ),
                name="member_college_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["cpts"], condition=Q(left_on__isnull=True), name="cpts_one_active_federation"
            ),
            models.UniqueConstraint(
                fields=["partner"], condition=Q(left_on__isnull=True), name="partner_one_active_membership"
            ),
        ]

    def __str__(self) -> str:
        return str(self.cpts or self.partner)

    @property
    def is_active(self) -> bool:
        return self.left_on is None


# --- roles ----------------------------------------------------------------------------------------
class CptsRole(models.TextChoices):
    MEMBER = "member", _("Membre")
    BUREAU = "bureau", _("Membre du bureau")
    COORDINATOR = "coordinator", _("Coordinateur·rice")
    ADMIN = "admin", _("Administrateur·rice")


# Roles that may manage a CPTS space (edit its territory, members, entries).
CPTS_MANAGER_ROLES = (CptsRole.COORDINATOR, CptsRole.ADMIN)


class Membership(models.Model):
    """A user's role in a CPTS. Bureau members, coordinators and admins are members too."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=CptsRole.choices, default=CptsRole.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("adhésion à une CPTS")
        constraints = [models.UniqueConstraint(fields=["user", "cpts"], name="one_membership_per_cpts")]

    def __str__(self) -> str:
        return f"{self.user} — {self.cpts} ({self.get_role_display()})"

    @property
    def can_manage(self) -> bool:
        return self.role in CPTS_MANAGER_ROLES


class FederationRole(models.Model):
    """A user's role at federation level (federation staff, or the delegate of a partner)."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrateur·rice de la fédération")
        COORDINATOR = "coordinator", _("Coordinateur·rice de la fédération")
        PARTNER_DELEGATE = "partner_delegate", _("Délégué·e d'un partenaire")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="federation_roles")
    federation = models.ForeignKey(Federation, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="delegates"
    )

    class Meta:
        verbose_name = _("rôle fédéral")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="partner_delegate", partner__isnull=False)
                | (~Q(role="partner_delegate") & Q(partner__isnull=True)),
                name="partner_delegate_has_partner",
            ),
            models.UniqueConstraint(
                fields=["user", "federation", "role"],
                condition=Q(partner__isnull=True),
                name="unique_federation_role",
            ),
            models.UniqueConstraint(
                fields=["user", "federation", "partner"],
                condition=Q(partner__isnull=False),
                name="unique_partner_delegate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.federation} ({self.get_role_display()})"


# Roles that manage a federation space (its staff); partner delegates take part but do not manage.
FEDERATION_MANAGER_ROLES = (FederationRole.Role.ADMIN, FederationRole.Role.COORDINATOR)


# --- security audit trail -------------------------------------------------------------------------
class SecurityEvent(models.Model):
    """Security-relevant events: sign-ins, failures, lockouts, role changes, deactivations, exports."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Connexion")
        LOGIN_FAILED = "login_failed", _("Échec de connexion")
        LOGOUT = "logout", _("Déconnexion")
        LOCKOUT = "lockout", _("Verrouillage après échecs")
        TOKEN_ISSUED = "token_issued", _("Jeton d'API délivré")
        ROLE_CHANGED = "role_changed", _("Rôle modifié")
        MEMBER_REMOVED = "member_removed", _("Membre retiré")
        ACCOUNT_DISABLED = "account_disabled", _("Compte désactivé")
        EXPORT = "export", _("Export de données")
        TOKEN_REVOKED = "token_revoked", _("Jeton d'API révoqué")
        INVITATION_SENT = "invitation_sent", _("Invitation envoyée")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation acceptée")
        INVITATION_DECLINED = "invitation_declined", _("Invitation déclinée")
        INVITATION_WITHDRAWN = "invitation_withdrawn", _("Invitation retirée")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="security_events_done"
    )
    subject = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="security_events"
    )
    email = models.CharField(_("identifiant saisi"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    detail = models.JSONField(_("détail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("événement de sécurité")
        verbose_name_plural = _("événements de sécurité")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.email}"


# --- territory history ----------------------------------------------------------------------------
class TerritoryChange(models.Model):
    """One commune added to or removed from a CPTS territory: who, what, when (kept for good).

    The commune's name and population are copied so the history reads the same after a census update."""

    class Action(models.TextChoices):
        ADD = "add", _("Ajout")
        REMOVE = "remove", _("Retrait")

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="territory_changes")
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="territory_changes")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="territory_changes"
    )
    commune_name = models.CharField(_("commune"), max_length=150)
    commune_population = models.PositiveIntegerField(_("population de la commune"), default=0)
    population_after = models.PositiveIntegerField(_("population du territoire après"), default=0)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("modification du territoire")
        verbose_name_plural = _("modifications du territoire")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.get_action_display()} {self.commune_name} — {self.cpts}"


# --- invitations to a CPTS (federation/invitations.py) ----------------------------------------------
class Invitation(models.Model):
    """An invitation to join a CPTS with a role: nothing changes until the invited person accepts.

    Addressed to an e-mail, whether or not an account has it (the coordinator is told nothing about the
    account). Pending until accepted, declined, withdrawn by a coordinator, or `expires_at`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        DECLINED = "declined", _("Déclinée")
        WITHDRAWN = "withdrawn", _("Retirée")

    cpts = models.ForeignKey(Cpts, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=20, choices=CptsRole.choices, default=CptsRole.MEMBER)
    display_name = models.CharField(_("nom affiché"), max_length=150, blank=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations_sent"
    )
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"))
    sent_count = models.PositiveSmallIntegerField(_("envois"), default=1)
    responded_at = models.DateTimeField(_("réponse le"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        constraints = [
            models.UniqueConstraint(
                fields=["cpts", "email"], condition=Q(status="pending"), name="one_pending_invitation"
            )
        ]
        indexes = [models.Index(fields=["email", "status"], name="invitation_email_status")]

    def __str__(self) -> str:
        return f"{self.email} → {self.cpts} ({self.get_status_display()})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        """Pending and not expired: the invited person may still answer."""
        return self.status == self.Status.PENDING and not self.is_expired
