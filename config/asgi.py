"""One ASGI application for HTTP and WebSocket."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
# Django must be set up before anything imports models (routing, consumers).
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from django.conf import settings  # noqa: E402

from config.http import PooledASGIHandler  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": PooledASGIHandler(settings.HTTP_CONCURRENCY),
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# What start-up built (modules, URL patterns, templates, translations) lives as long as the process: frozen,
# the collector stops walking it again on every full collection (under 1,000 ballots at once, `make bench`
# P3, those walks cost about a tenth of a worker's CPU). Start-up's garbage is collected first, not frozen.
gc.collect()
gc.freeze()
