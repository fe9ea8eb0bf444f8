from django.urls import path

from evaluation import views

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
    path("satisfaction/<int:survey_id>/report.pdf", views.satisfaction_report, name="satisfaction_report"),
]
