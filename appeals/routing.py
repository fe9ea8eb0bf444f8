from django.urls import path

from appeals.consumers import HandlerConsumer

websocket_urlpatterns = [path("ws/appeals/", HandlerConsumer.as_asgi())]
