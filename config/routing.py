"""WebSocket routes. Feature apps add their consumers here."""

from django.urls import path

from appeals.routing import websocket_urlpatterns as appeal_websockets
from config.consumers import PingConsumer
from consultation.routing import websocket_urlpatterns as consultation_websockets

websocket_urlpatterns = [
    path("ws/ping/", PingConsumer.as_asgi()),
    *consultation_websockets,
    *appeal_websockets,
]
