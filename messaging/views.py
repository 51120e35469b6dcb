"""HTML pages of the messaging app: the chat page (the live part is static/messaging/chat.js) and the
notification preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from federation.selectors import user_federations
from messaging import selectors, services
from messaging.integration import patient_data_notice
from messaging.models import NotificationPreference
from messaging.serializers import conversation_rows, display_name


@login_required
def index(request):
    services.memberships_revalidate(user=request.user)  # e.g. a new CPTS member joins its general channel
    rows = conversation_rows(selectors.user_memberships(request.user), request.user)
    return render(
        request,
        "messaging/index.html",
        {
            "conversations": rows,
            "joinable": selectors.joinable_conversations(request.user),
            "notice": patient_data_notice(),
            "federations": user_federations(request.user),
            "chat_config": {
                "user": {"id": request.user.pk, "name": display_name(request.user)},
                "maxBody": settings.MESSAGING_MAX_BODY,
                "maxFrameBytes": settings.MESSAGING_MAX_FRAME_BYTES,
                "conversations": rows,
            },
        },
    )


@login_required
def preferences(request):
    mode = selectors.notification_mode(request.user)
    if request.method == "POST":
        mode = request.POST.get("mode", "")
        if mode not in NotificationPreference.Mode.values:
            messages.error(request, _("Choix de notification inconnu."))
        else:
            services.notification_preference_set(actor=request.user, mode=mode)
            messages.success(request, _("Préférences de notification enregistrées."))
            return redirect("messaging-preferences")
    return render(
        request,
        "messaging/preferences.html",
        {"modes": NotificationPreference.Mode.choices, "mode": mode},
    )
