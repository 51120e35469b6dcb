"""Serializers every sub-domain of the pooled resources shares."""

from rest_framework import serializers


class SharedPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="__str__")
