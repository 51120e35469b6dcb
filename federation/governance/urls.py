from django.urls import path

from federation.governance import api, views
from federation.governance.bureau import api as bureau_api
from federation.governance.meetings import api as meeting_api
from federation.governance.membership import api as membership_api
from federation.governance.polls import api as poll_api
from federation.governance.statutes import api as statutes_api

F = "federations/<slug:federation_slug>"
G = "gouvernance/<slug:federation_slug>"
A = f"api/governance/{F}"

urlpatterns = [
    # HTML (French)
    path("gouvernance/", views.index, name="governance-index"),
    path(f"{G}/", views.federation_governance, name="governance-federation"),
    path(f"{G}/seances/<int:meeting_id>/", views.meeting_room, name="governance-meeting"),
    path(f"{G}/seances/<int:meeting_id>/action/", views.meeting_action, name="governance-meeting-action"),
    path(f"{G}/seances/<int:meeting_id>/proces-verbal.pdf", views.minutes, name="governance-minutes"),
    path(f"{G}/seances/<int:meeting_id>/dossier/", views.meeting_pack_upload, name="governance-meeting-pack"),
    path(
        f"{G}/seances/<int:meeting_id>/dossier/<int:document_id>/",
        views.meeting_document,
        name="governance-meeting-document",
    ),
    path(f"{G}/scrutins/<int:poll_id>/", views.poll_page, name="governance-poll"),
    path(f"{G}/scrutins/<int:poll_id>/action/", views.poll_action, name="governance-poll-action"),
    # API
    path(f"{A}/", api.OverviewView.as_view(), name="api-governance-overview"),
    path(f"{A}/audit/", api.AuditListView.as_view(), name="api-governance-audit"),
    path(f"{A}/statutes/", statutes_api.StatutesView.as_view(), name="api-governance-statutes"),
    path(
        f"{A}/statutes/initial/",
        statutes_api.StatutesInitialView.as_view(),
        name="api-governance-statutes-initial",
    ),
    path(f"{A}/fees/", membership_api.FeeListView.as_view(), name="api-governance-fees"),
    path(f"{A}/fees/<int:fee_id>/", membership_api.FeeStatusView.as_view(), name="api-governance-fee"),
    path(f"{A}/delegates/", membership_api.DelegateView.as_view(), name="api-governance-delegates"),
    path(
        f"{A}/delegates/<int:delegate_id>/revoke/",
        membership_api.DelegateRevokeView.as_view(),
        name="api-governance-delegate-revoke",
    ),
    path(f"{A}/members/", membership_api.MembershipOverviewView.as_view(), name="api-governance-members"),
    path(f"{A}/members/join/", membership_api.MemberJoinView.as_view(), name="api-governance-member-join"),
    path(
        f"{A}/members/<int:member_id>/leave/",
        membership_api.MemberLeaveView.as_view(),
        name="api-governance-member-leave",
    ),
    path(
        f"{A}/members/<int:member_id>/proceedings/",
        membership_api.ProceedingOpenView.as_view(),
        name="api-governance-proceedings",
    ),
    path(
        f"{A}/proceedings/<int:proceeding_id>/decide/",
        membership_api.ProceedingDecideView.as_view(),
        name="api-governance-proceeding-decide",
    ),
    path(
        f"{A}/fees/<int:fee_id>/remind/",
        membership_api.FeeRemindView.as_view(),
        name="api-governance-fee-remind",
    ),
    path(
        f"{A}/partners/<slug:partner_slug>/delegates/",
        membership_api.PartnerDelegateView.as_view(),
        name="api-governance-partner-delegates",
    ),
    path(f"{A}/bureau/", bureau_api.BureauView.as_view(), name="api-governance-bureau"),
    path(f"{A}/meetings/", meeting_api.MeetingListView.as_view(), name="api-governance-meetings"),
    path(
        f"{A}/meetings/<int:meeting_id>/",
        meeting_api.MeetingDetailView.as_view(),
        name="api-governance-meeting",
    ),
    path(
        f"{A}/meetings/<int:meeting_id>/attendance/",
        meeting_api.AttendanceView.as_view(),
        name="api-governance-attendance",
    ),
    path(
        f"{A}/partner-admissions/",
        bureau_api.PartnerAdmissionListView.as_view(),
        name="api-governance-partner-admissions",
    ),
    path(
        f"{A}/partner-admissions/<int:admission_id>/answer/",
        bureau_api.PartnerAdmissionAnswerView.as_view(),
        name="api-governance-partner-admission-answer",
    ),
    path(
        f"{A}/meetings/<int:meeting_id>/pack/",
        meeting_api.MeetingPackView.as_view(),
        name="api-governance-meeting-pack",
    ),
    path(
        f"{A}/meetings/<int:meeting_id>/pack/<int:document_id>/",
        meeting_api.MeetingPackDocumentView.as_view(),
        name="api-governance-meeting-pack-document",
    ),
    path(
        f"{A}/meetings/<int:meeting_id>/proxies/",
        meeting_api.ProxyView.as_view(),
        name="api-governance-proxies",
    ),
    path(
        f"{A}/meetings/<int:meeting_id>/proxies/<int:proxy_id>/withdraw/",
        meeting_api.ProxyWithdrawView.as_view(),
        name="api-governance-proxy-withdraw",
    ),
    path(
        f"{A}/meetings/<int:meeting_id>/<slug:action>/",
        meeting_api.MeetingActionView.as_view(),
        name="api-governance-meeting-action",
    ),
    path(f"{A}/polls/", poll_api.PollListView.as_view(), name="api-governance-polls"),
    path(f"{A}/polls/<int:poll_id>/", poll_api.PollDetailView.as_view(), name="api-governance-poll"),
    path(f"{A}/polls/<int:poll_id>/live/", poll_api.PollLiveView.as_view(), name="api-governance-live"),
    path(f"{A}/polls/<int:poll_id>/ballots/", poll_api.BallotView.as_view(), name="api-governance-ballots"),
    path(
        f"{A}/polls/<int:poll_id>/counted/",
        poll_api.CountedBallotListView.as_view(),
        name="api-governance-counted",
    ),
    path(
        f"{A}/polls/<int:poll_id>/receipt/",
        poll_api.ReceiptCheckView.as_view(),
        name="api-governance-receipt",
    ),
    path(
        f"{A}/polls/<int:poll_id>/<slug:action>/",
        poll_api.PollActionView.as_view(),
        name="api-governance-poll-action",
    ),
]
