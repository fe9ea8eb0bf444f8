from django.urls import path

from evaluation import paper, views

app_name = "evaluation"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/manage/", views.campaign_manage, name="manage"),
    path("<int:pk>/self-assessment/", views.self_assessment, name="self_assessment"),
    path("<int:pk>/ballot/", views.ballot, name="ballot"),
    path("<int:pk>/masses-ballot/", views.masses_ballot, name="masses_ballot"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/my-result/", views.my_result, name="my_result"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/ballots/", views.published_ballots, name="published_ballots"),
    path("<int:pk>/report.pdf", views.report, name="report"),
    path("<int:pk>/paper/", paper.paper_ballots, name="paper_ballots"),
    path("<int:pk>/paper/enter/", paper.paper_enter, name="paper_enter"),
    path("<int:pk>/paper/<uuid:paper_id>/confirm/", paper.paper_confirm, name="paper_confirm"),
    path("<int:pk>/paper/<uuid:paper_id>/discard/", paper.paper_discard, name="paper_discard"),
    path("satisfaction/<int:survey_id>/report.pdf", views.satisfaction_report, name="satisfaction_report"),
]
