"""API input and output of shared documents."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from federation.models import Cpts
from shared_actions.documents.models import (
    Document,
    DocumentCategory,
    DocumentDownload,
    DocumentVersion,
    Visibility,
)
from shared_actions.serializers import SharedPersonSerializer


class DocumentVersionSerializer(serializers.ModelSerializer):
    uploaded_by = SharedPersonSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "comment",
            "uploaded_by",
            "uploaded_at",
            "download_url",
        ]

    def get_download_url(self, obj) -> str:
        return reverse("api-actions-document-download", args=[obj.document_id, obj.number])


class DocumentSerializer(serializers.ModelSerializer):
    cpts = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    federation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    shared_with = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    latest_version = serializers.IntegerField(read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "description",
            "category",
            "visibility",
            "cpts",
            "federation",
            "shared_with",
            "latest_version",
            "created_at",
            "updated_at",
        ]


class DocumentDetailSerializer(DocumentSerializer):
    versions = DocumentVersionSerializer(many=True, read_only=True)

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "versions"]


class DocumentCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=DocumentCategory.choices)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.OWNER)
    cpts = serializers.SlugRelatedField(slug_field="slug", queryset=Cpts.objects.all(), required=False)
    federation = serializers.SlugField(required=False, help_text=_("Document de la fédération (son équipe)."))
    shared_with = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cpts.objects.all(), many=True, required=False, default=list
    )
    shared_with_users = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text=_("Visibilité « people ».")
    )
    file = serializers.FileField(allow_empty_file=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)

    def validate(self, attrs):
        if bool(attrs.get("cpts")) == bool(attrs.get("federation")):
            raise serializers.ValidationError(_("Indiquez soit une CPTS, soit une fédération."), code="owner")
        return attrs


class DocumentUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=DocumentCategory.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    shared_with = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cpts.objects.all(), many=True, required=False
    )
    shared_with_users = serializers.ListField(child=serializers.IntegerField(), required=False)


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class DocumentDownloadSerializer(serializers.ModelSerializer):
    user = SharedPersonSerializer(read_only=True)
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = DocumentDownload
        fields = ["version", "user", "downloaded_at"]
