"""The demo runs with DEBUG on (embedded `make run`), where Django answers a 404 with its technical page:
in demo mode people see the French 404 page instead (templates/404.html), as in production."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render


class DemoNotFoundMiddleware:
    """With DEMO_MODE and DEBUG both on, a view's Http404 renders templates/404.html (the API keeps its own
    error shape: its handler answers before this is reached)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not (settings.DEBUG and settings.DEMO_MODE) or not isinstance(exception, Http404):
            return None
        if request.path.startswith("/api/"):
            return None
        return render(request, "404.html", status=404)
