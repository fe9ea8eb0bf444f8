from django.urls import path

from accountability import views

app_name = "accountability"
urlpatterns = [
    path("", views.index, name="index"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("problems/<int:pk>/", views.problem_detail, name="problem"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("schemes/<int:pk>/", views.scheme_dashboard, name="scheme"),
    path("schemes/<int:pk>/grades/", views.scheme_grades, name="scheme_grades"),
    path("schemes/<int:pk>/export.xlsx", views.scheme_export, name="scheme_export"),
    path("schemes/<int:pk>/report.pdf", views.scheme_report, name="scheme_report"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/report-file/", views.report_file, name="report_file"),
    path("evidence/<int:pk>/file/", views.evidence_file, name="evidence_file"),
    path("org/<slug:code>/", views.organization_lists, name="organization"),
    path("org/<slug:code>/responsibilities/", views.responsibility_action, name="responsibility_action"),
    path("org/<slug:code>/tasks/new/", views.task_create, name="task_create"),
    path("org/<slug:code>/problems/new/", views.problem_create, name="problem_create"),
    path("org/<slug:code>/proposals/check/", views.check_proposals, name="check_proposals"),
]
