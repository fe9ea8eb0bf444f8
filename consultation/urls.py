from django.urls import path

from consultation import views

app_name = "consultation"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:page_id>/posts/", views.post_create, name="post_create"),
    path("<int:page_id>/events/", views.events_since, name="events"),
    path("<int:page_id>/stage/", views.stage_change, name="stage"),
    path("<int:page_id>/vote/", views.vote, name="vote"),
    path("<int:page_id>/outcome/", views.outcome_publish, name="outcome"),
    path("<int:page_id>/implementation/", views.implementation_update, name="implementation"),
    path("<int:page_id>/rate/", views.rate, name="rate"),
    path("<int:page_id>/moderation/", views.moderation_queue, name="moderation"),
    path("<int:page_id>/statements/", views.statement_add, name="statement_add"),
    path("posts/<int:post_id>/", views.post_fragment, name="post_fragment"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/react/", views.post_react, name="post_react"),
    path("posts/<int:post_id>/report/", views.post_report, name="post_report"),
    path("posts/<int:post_id>/moderate/", views.post_moderate, name="post_moderate"),
    path("posts/<int:post_id>/pin/", views.post_pin, name="post_pin"),
    path("statements/<int:statement_id>/vote/", views.statement_vote, name="statement_vote"),
]
