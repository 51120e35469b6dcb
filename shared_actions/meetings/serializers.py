"""API input and output of meetings and of the department agenda."""

from rest_framework import serializers

from federation.models import Cpts
from shared_actions.meetings.models import Invitation, Meeting
from shared_actions.serializers import SharedPersonSerializer


class MeetingInvitationSerializer(serializers.ModelSerializer):
    user = SharedPersonSerializer(read_only=True)

    class Meta:
        model = Invitation
        fields = ["user", "reply", "replied_at", "attended"]


class SharedMeetingSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cpts.objects.all(), required=False, allow_null=True
    )
    federation = serializers.SlugField(source="federation.slug", required=False, allow_null=True)
    invitees = serializers.ListField(child=serializers.IntegerField(), write_only=True, required=False)
    minutes = serializers.PrimaryKeyRelatedField(read_only=True)
    campaign = serializers.IntegerField(source="campaign_id", required=False, allow_null=True)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "title",
            "start",
            "end",
            "place",
            "video_url",
            "agenda",
            "cpts",
            "federation",
            "campaign",
            "minutes",
            "invitees",
        ]


class SharedMeetingDetailSerializer(SharedMeetingSerializer):
    invitations = MeetingInvitationSerializer(many=True, read_only=True)

    class Meta(SharedMeetingSerializer.Meta):
        fields = [*SharedMeetingSerializer.Meta.fields, "invitations"]


class MeetingInviteSerializer(serializers.Serializer):
    users = serializers.ListField(child=serializers.IntegerField(), min_length=1)


class MeetingReplySerializer(serializers.Serializer):
    reply = serializers.ChoiceField(choices=[c for c in Invitation.Reply.choices if c[0] != "pending"])


class MeetingAttendanceSerializer(serializers.Serializer):
    present = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class MeetingMinutesSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, allow_empty_file=True)
    document = serializers.IntegerField(required=False)


class AgendaEntrySerializer(serializers.Serializer):
    uid = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    start = serializers.CharField()
    end = serializers.CharField(allow_null=True)
    location = serializers.CharField()
    url = serializers.CharField()
    owner = serializers.CharField()
    theme = serializers.CharField()
