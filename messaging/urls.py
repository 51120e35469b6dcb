from django.urls import path

from messaging import api, views

urlpatterns = [
    path("messagerie/", views.index, name="messaging-index"),
    path("messagerie/preferences/", views.preferences, name="messaging-preferences"),
    # API
    path(
        "api/messaging/conversations/", api.ConversationListView.as_view(), name="api-messaging-conversations"
    ),
    path(
        "api/messaging/conversations/joinable/", api.JoinableListView.as_view(), name="api-messaging-joinable"
    ),
    path(
        "api/messaging/conversations/<int:pk>/",
        api.ConversationDetailView.as_view(),
        name="api-messaging-conversation",
    ),
    path("api/messaging/conversations/<int:pk>/join/", api.JoinView.as_view(), name="api-messaging-join"),
    path(
        "api/messaging/conversations/<int:pk>/members/",
        api.MembersView.as_view(),
        name="api-messaging-members",
    ),
    path(
        "api/messaging/conversations/<int:pk>/members/<int:user_id>/",
        api.MemberDetailView.as_view(),
        name="api-messaging-member",
    ),
    path(
        "api/messaging/conversations/<int:pk>/archive/",
        api.ArchiveView.as_view(),
        name="api-messaging-archive",
    ),
    path(
        "api/messaging/conversations/<int:pk>/messages/",
        api.MessagesView.as_view(),
        name="api-messaging-messages",
    ),
    path(
        "api/messaging/conversations/<int:pk>/attachments/",
        api.AttachmentsView.as_view(),
        name="api-messaging-attachments",
    ),
    path("api/messaging/conversations/<int:pk>/read/", api.ReadView.as_view(), name="api-messaging-read"),
    path("api/messaging/messages/<int:pk>/", api.MessageDetailView.as_view(), name="api-messaging-message"),
    path(
        "api/messaging/messages/<int:pk>/history/",
        api.MessageHistoryView.as_view(),
        name="api-messaging-message-history",
    ),
    path("api/messaging/search/", api.SearchView.as_view(), name="api-messaging-search"),
    path("api/messaging/unread/", api.UnreadView.as_view(), name="api-messaging-unread"),
    path("api/messaging/preferences/", api.PreferenceView.as_view(), name="api-messaging-preferences"),
    path(
        "api/messaging/federations/<slug:federation_slug>/people/",
        api.PeopleView.as_view(),
        name="api-messaging-people",
    ),
    path(
        "api/messaging/federations/<slug:federation_slug>/retention/",
        api.RetentionView.as_view(),
        name="api-messaging-retention",
    ),
]
