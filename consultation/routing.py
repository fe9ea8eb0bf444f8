"""WebSocket routes of consultations."""

from django.urls import path

from consultation.consumers import ConsultationConsumer

websocket_urlpatterns: list = [
    path("ws/consultations/<int:page_id>/", ConsultationConsumer.as_asgi()),
]
