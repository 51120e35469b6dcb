"""HTML pages of the messaging app: the chat page (the live part is static/messaging/chat.js) and the
notification preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from federation.selectors import user_federations
from messaging import selectors, services
from messaging.api import conversation_row
from messaging.integration import patient_data_notice
from messaging.models import NotificationPreference


@login_required
def index(request):
    services.memberships_revalidate(user=request.user)  # e.g. a new CPTS member joins its general channel
    rows = [conversation_row(m, request.user) for m in selectors.user_memberships(request.user)]
    return render(
        request,
        "messaging/index.html",
        {
            "conversations": rows,
            "joinable": selectors.joinable_conversations(request.user),
            "notice": patient_data_notice(),
            "federations": user_federations(request.user),
            "chat_config": {
                "user": {"id": request.user.pk, "name": services.display_name(request.user)},
                "maxBody": settings.MESSAGING_MAX_BODY,
                "conversations": rows,
            },
        },
    )


@login_required
def preferences(request):
    current = NotificationPreference.objects.filter(user=request.user).first()
    mode = current.mode if current else NotificationPreference.Mode.IMMEDIATE
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
