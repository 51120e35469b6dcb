"""django-allauth adapters."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Accounts are created by coordinators (or invitations); open sign-up is a deployment choice.
        return settings.ACCOUNT_ALLOW_REGISTRATION

    def get_client_ip(self, request):
        # allauth's sign-in rate limits count per address as DRF's throttles and django-axes do.
        from federation.security import client_ip

        return client_ip(request) or super().get_client_ip(request)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Pro Santé Connect: the national id (`SubjectNameID`, "8" + RPPS) identifies the person."""

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        extra = sociallogin.account.extra_data or {}
        userinfo = extra.get("userinfo", extra)
        given = userinfo.get("given_name", "")
        family = userinfo.get("family_name", "")
        if given or family:
            user.display_name = f"{given} {family}".strip()
        return user

    def is_open_for_signup(self, request, sociallogin):
        return settings.ACCOUNT_ALLOW_REGISTRATION
