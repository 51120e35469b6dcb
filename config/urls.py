from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from federation import health

handler404 = "federation.error_pages.page_not_found"
handler500 = "federation.error_pages.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script, so CSP stays strict.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Each app declares its own HTML pages and its API routes (under /api/<app>/) in its urls.py.
    path("", include("federation.urls")),
    path("", include("federation.security_urls")),  # account, API tokens, invitations, members
    path("", include("federation.governance.urls")),
    path("", include("search.urls")),
    path("", include("directory.urls")),
    path("", include("shared_actions.urls")),
    path("", include("messaging.urls")),
    path("", include("missions.urls")),
    path("", include("missions.projet.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
