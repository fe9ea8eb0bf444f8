"""WebSocket routes of consultations."""

websocket_urlpatterns: list = []
