"""Routes of accounts and access: API tokens, invitations, member management (issue 17)."""

from django.urls import path

from federation import account_views, api, member_views

urlpatterns = [
    # Pages
    path("compte/", account_views.account, name="account-home"),
    path("compte/jetons/", account_views.account, name="account-tokens"),
    path("compte/jetons/<str:token_id>/revoquer/", account_views.token_revoke, name="account-token-revoke"),
    path(
        "compte/invitations/<int:invitation_id>/", account_views.invitation_answer, name="account-invitation"
    ),
    path("invitation/<str:token>/", account_views.invitation_respond, name="invitation-respond"),
    path("cpts/<slug:cpts_slug>/membres/inviter/", member_views.invite, name="cpts-member-invite-send"),
    path(
        "cpts/<slug:cpts_slug>/membres/<int:user_id>/role/", member_views.role_change, name="cpts-member-role"
    ),
    path(
        "cpts/<slug:cpts_slug>/membres/<int:user_id>/retirer/",
        member_views.remove,
        name="cpts-member-remove",
    ),
    path(
        "cpts/<slug:cpts_slug>/invitations/<int:invitation_id>/retirer/",
        member_views.invitation_withdraw,
        name="cpts-invitation-withdraw",
    ),
    # API
    path("api/me/tokens/", api.MyTokensView.as_view(), name="api-my-tokens"),
    path("api/me/tokens/<str:token_id>/", api.MyTokenDetailView.as_view(), name="api-my-token"),
    path("api/me/invitations/", api.MyInvitationsView.as_view(), name="api-my-invitations"),
    path(
        "api/me/invitations/<int:invitation_id>/accept/",
        api.MyInvitationAnswerView.as_view(answer="accept"),
        name="api-my-invitation-accept",
    ),
    path(
        "api/me/invitations/<int:invitation_id>/decline/",
        api.MyInvitationAnswerView.as_view(answer="decline"),
        name="api-my-invitation-decline",
    ),
    path(
        "api/cpts/<slug:cpts_slug>/invitations/",
        api.CptsInvitationsView.as_view(),
        name="api-cpts-invitations",
    ),
    path(
        "api/cpts/<slug:cpts_slug>/invitations/<int:invitation_id>/",
        api.CptsInvitationDetailView.as_view(),
        name="api-cpts-invitation",
    ),
]
