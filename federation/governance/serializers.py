from rest_framework import serializers

from federation.governance.models import (
    AgendaItem,
    AttendanceStatus,
    AuditEntry,
    Body,
    BureauMandate,
    BureauRole,
    Candidate,
    DecisionKind,
    Delegate,
    Fee,
    Meeting,
    MeetingDocument,
    PartnerAdmission,
    PartnerOpinion,
    Poll,
    StatutesSettings,
)


class StatutesSerializer(serializers.ModelSerializer):
    min_join_stage = serializers.CharField(source="federation.min_join_stage", read_only=True)

    class Meta:
        model = StatutesSettings
        fields = [*StatutesSettings.EDITABLE, "min_join_stage", "adopted_by", "updated_at"]


class StatutesChangeSerializer(serializers.Serializer):
    changes = serializers.DictField(help_text="paramètre → nouvelle valeur (voir StatutesSettings)")
    title = serializers.CharField(required=False, allow_blank=True, default="")
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None)
    opens_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class DelegateSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.__str__", read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    cpts = serializers.CharField(source="member.cpts.name", read_only=True)

    class Meta:
        model = Delegate
        fields = ["id", "member", "cpts", "user", "user_id", "kind", "since", "until"]


class BureauMandateSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.__str__", read_only=True)
    # Plain strings (values of BureauRole): a "role" enum would collide with the CPTS roles' in OpenAPI.
    role = serializers.CharField(
        read_only=True, help_text="president, vice_president, treasurer, secretary, …"
    )
    cpts = serializers.CharField(source="member.cpts.name", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = BureauMandate
        fields = ["id", "user", "cpts", "role", "role_label", "starts_on", "ends_on", "elected_by"]


class FeeSerializer(serializers.ModelSerializer):
    member_name = serializers.SerializerMethodField()

    class Meta:
        model = Fee
        fields = [
            "id",
            "member",
            "member_name",
            "year",
            "amount",
            "status",
            "paid_on",
            "reminders_sent",
            "last_reminded_on",
        ]

    def get_member_name(self, fee) -> str:
        return str(fee.member.cpts or fee.member.partner)


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "position", "title", "description"]


class MeetingSerializer(serializers.ModelSerializer):
    body_label = serializers.CharField(source="get_body_display", read_only=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "body",
            "body_label",
            "title",
            "starts_at",
            "location",
            "status",
            "convened_at",
            "first_meeting",
        ]


class MeetingDocumentSerializer(serializers.ModelSerializer):
    """A document of the AGO's pack; `url` downloads it (members of the federation only)."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    url = serializers.SerializerMethodField(help_text="download from the governance page (session)")
    api_url = serializers.SerializerMethodField(help_text="download through the API (token or session)")

    class Meta:
        model = MeetingDocument
        fields = ["id", "kind", "kind_label", "name", "size", "uploaded_at", "url", "api_url"]

    def get_url(self, document) -> str:
        return self.context["urls"][document.pk]

    def get_api_url(self, document) -> str:
        return self.context["api_urls"][document.pk]


class MeetingDocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MeetingDocument.Kind.choices)
    file = serializers.FileField(allow_empty_file=True)


class MeetingPackSerializer(serializers.Serializer):
    documents = MeetingDocumentSerializer(many=True)
    missing = serializers.ListField(child=serializers.ChoiceField(choices=MeetingDocument.Kind.choices))
    available_on = serializers.DateField(allow_null=True, help_text="15 jours avant l'AGO (statuts)")


class MeetingActionSerializer(serializers.Serializer):
    allow_incomplete_pack = serializers.BooleanField(
        default=False, help_text="convoquer une AGO dont le dossier est incomplet (après confirmation)"
    )


class MeetingCreateSerializer(serializers.Serializer):
    body = serializers.ChoiceField(choices=Body.choices)
    title = serializers.CharField(max_length=200)
    starts_at = serializers.DateTimeField()
    location = serializers.CharField(required=False, allow_blank=True, default="")
    agenda = serializers.ListField(child=serializers.CharField(max_length=300), required=False, default=list)
    first_meeting = serializers.IntegerField(required=False, allow_null=True, default=None)


class QuorumSerializer(serializers.Serializer):
    required = serializers.BooleanField()
    members = serializers.IntegerField()
    present_or_represented = serializers.IntegerField()
    threshold = serializers.IntegerField()
    met = serializers.BooleanField()


class AttendanceRowSerializer(serializers.Serializer):
    member_id = serializers.IntegerField(allow_null=True)
    mandate_id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    college = serializers.CharField()
    status = serializers.ChoiceField(choices=AttendanceStatus.choices)
    proxy_holder = serializers.CharField(allow_blank=True)
    proxy_id = serializers.IntegerField(allow_null=True)


class AttendanceSignSerializer(serializers.Serializer):
    member = serializers.IntegerField(required=False, allow_null=True, default=None)
    mandate = serializers.IntegerField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=[("present", "present"), ("absent", "absent"), ("excused", "excused")]
    )


class ProxySerializer(serializers.Serializer):
    giver = serializers.IntegerField(help_text="membre (CPTS) qui donne pouvoir")
    holder = serializers.IntegerField(help_text="utilisateur délégué d'une autre CPTS")


class CandidateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Candidate
        fields = ["id", "label", "member"]


class OpinionSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.name")

    class Meta:
        model = PartnerOpinion
        fields = ["partner", "text"]


class PollSerializer(serializers.ModelSerializer):
    candidates = CandidateSerializer(many=True, read_only=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = Poll
        fields = [
            "id",
            "meeting",
            "agenda_item",
            "body",
            "kind",
            "decision_kind",
            "title",
            "description",
            "secret",
            "election_round",
            "previous_round",
            "status",
            "opens_at",
            "closes_at",
            "opened_at",
            "closed_at",
            "published_at",
            "effect",
            "candidates",
            "result",
        ]

    def get_result(self, poll) -> dict | None:
        # The result is public to participants once closed; never before.
        return poll.result if poll.status in (Poll.Status.CLOSED, Poll.Status.PUBLISHED) else None


class PollCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Poll.Kind.choices, default=Poll.Kind.MOTION)
    decision_kind = serializers.ChoiceField(choices=DecisionKind.choices, default=DecisionKind.ORDINARY)
    secret = serializers.BooleanField(default=False)
    meeting = serializers.IntegerField(required=False, allow_null=True, default=None)
    agenda_item = serializers.IntegerField(required=False, allow_null=True, default=None)
    body = serializers.ChoiceField(choices=Body.choices, required=False, allow_null=True, default=None)
    opens_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    closes_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    candidates = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    effect = serializers.DictField(required=False, default=dict)


class PollCloseSerializer(serializers.Serializer):
    casting_vote = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="close : voix prépondérante du/de la président·e (yes / no, ou l'id d'un·e candidat·e)",
    )
    without_quorum = serializers.BooleanField(
        required=False,
        default=False,
        help_text="open : seconde séance d'AGO sans quorum, décision à la majorité relative (statuts, art. 13.2)",
    )


class BallotSerializer(serializers.Serializer):
    right = serializers.CharField(
        required=False, allow_null=True, default=None, help_text="member-<id> / mandate-<id>"
    )
    choice = serializers.ChoiceField(
        choices=["yes", "no", "abstain"], required=False, allow_blank=True, default=""
    )
    candidate = serializers.IntegerField(required=False, allow_null=True, default=None)
    blank = serializers.BooleanField(default=False)
    opinion = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class VotingRightSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    college = serializers.CharField()
    by_proxy = serializers.BooleanField()
    voted = serializers.BooleanField()


class AuditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = ["seq", "created_at", "event", "actor_id", "payload", "prev_hash", "hash"]


class DelegateDesignateSerializer(serializers.Serializer):
    cpts = serializers.SlugField(help_text="identifiant (slug) de la CPTS membre")
    user = serializers.IntegerField(help_text="utilisateur membre de cette CPTS")
    kind = serializers.ChoiceField(choices=Delegate.Kind.choices, default=Delegate.Kind.TITULAR)


class BureauSeatSerializer(serializers.Serializer):
    user = serializers.IntegerField()
    role = serializers.CharField(help_text="une des valeurs de BureauRole : " + ", ".join(BureauRole.values))

    def validate_role(self, value):
        if value not in BureauRole.values:
            raise serializers.ValidationError("Fonction inconnue.")
        return value


class BureauSetSerializer(serializers.Serializer):
    seats = BureauSeatSerializer(many=True)
    starts_on = serializers.DateField()


class FeeSetSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    amount = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0)


class FeeStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Fee.Status.choices)
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)


class BallotCastSerializer(serializers.Serializer):
    receipt = serializers.CharField(
        allow_blank=True,
        help_text="Reçu du vote secret (vide pour un vote nominatif) : à garder pour vérifier",
    )
    my_rights = VotingRightSerializer(many=True)


class CountedBallotSerializer(serializers.Serializer):
    receipt = serializers.CharField()
    college = serializers.CharField()
    choice = serializers.CharField(allow_blank=True, help_text="yes / no / abstain (résolutions)")
    candidate = serializers.IntegerField(allow_null=True, source="candidate_id")
    candidate_label = serializers.SerializerMethodField()
    blank = serializers.BooleanField()

    def get_candidate_label(self, row) -> str:
        return row.candidate.label if row.candidate_id else ""


class ReceiptCheckSerializer(serializers.Serializer):
    receipt = serializers.CharField()
    status = serializers.ChoiceField(choices=["counted", "not_found", "not_closed"])
    counted = serializers.BooleanField()


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    college = serializers.CharField()
    cpts = serializers.CharField(source="cpts.slug", read_only=True, allow_null=True)
    partner = serializers.CharField(source="partner.slug", read_only=True, allow_null=True)
    name = serializers.SerializerMethodField()
    joined_on = serializers.DateField()
    left_on = serializers.DateField(allow_null=True)

    def get_name(self, member) -> str:
        return str(member.cpts or member.partner)


class PartnerDelegateSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="identifiant du rôle")
    user = serializers.IntegerField(source="user_id")
    user_name = serializers.CharField(source="user.__str__")
    partner = serializers.CharField(source="partner.slug", read_only=True)
    partner_name = serializers.CharField(source="partner.name")


class MembershipOverviewSerializer(serializers.Serializer):
    members = MemberSerializer(many=True)
    delegates = DelegateSerializer(many=True)
    partner_delegates = PartnerDelegateSerializer(many=True)


class MemberJoinSerializer(serializers.Serializer):
    cpts = serializers.SlugField(help_text="identifiant (slug) de la CPTS qui adhère")
    cross_border = serializers.BooleanField(
        default=False, help_text="territoire hors du département : adhésion déclarée transfrontalière"
    )


class ProceedingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    kind = serializers.CharField()
    reason = serializers.CharField()
    invited_on = serializers.DateField()
    outcome = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)


class ProceedingOpenSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["exclusion", "strike_off"])
    reason = serializers.CharField(max_length=5000)


class ProceedingDecideSerializer(serializers.Serializer):
    pronounce = serializers.BooleanField(help_text="true : prononcer ; false : abandonner la procédure")


class StatutesInitialSerializer(serializers.ModelSerializer):
    """Any of the statutes' settings; the others keep the model statutes' values."""

    class Meta:
        model = StatutesSettings
        fields = StatutesSettings.EDITABLE
        extra_kwargs = {name: {"required": False} for name in StatutesSettings.EDITABLE}


class PartnerDelegateDesignateSerializer(serializers.Serializer):
    user = serializers.IntegerField(help_text="utilisateur qui portera la voix consultative du partenaire")


class PartnerAdmissionAnswerSerializer(serializers.Serializer):
    mandate = serializers.IntegerField(source="mandate_id")
    user = serializers.CharField(source="user.get_full_name")
    agrees = serializers.BooleanField()
    answered_at = serializers.DateTimeField()


class PartnerAdmissionSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    answers = PartnerAdmissionAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = PartnerAdmission
        fields = [
            "id",
            "name",
            "kind",
            "status",
            "status_label",
            "partner",
            "created_at",
            "decided_at",
            "answers",
        ]


class PartnerAdmissionProposeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class PartnerAdmissionAnswerInputSerializer(serializers.Serializer):
    agrees = serializers.BooleanField()
