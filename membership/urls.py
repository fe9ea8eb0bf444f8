from django.urls import path

from membership import views, views_dues, views_records, views_study

app_name = "membership"
urlpatterns = [
    path("", views.index, name="index"),
    path("recruitment/new/", views.dossier_create, name="dossier_create"),
    path("recruitment/<int:pk>/", views.dossier_detail, name="dossier"),
    path("recruitment/<int:pk>/papers/", views.document_upload, name="document_upload"),
    path("recruitment/<int:pk>/papers/<int:document_id>/", views.document, name="document"),
]
urlpatterns += [
    path("transfers/", views_records.transfer_list, name="transfers"),
    path("transfers/<int:pk>/", views_records.transfer_detail, name="transfer"),
    path("transfers/<int:pk>/letter.pdf", views_records.transfer_letter, name="transfer_letter"),
    path("mobile/", views_records.mobile_list, name="mobile_list"),
    path("mobile/<int:pk>/", views_records.mobile_detail, name="mobile"),
]
urlpatterns += [
    path("dues/", views_dues.dues_index, name="dues_index"),
    path("dues/mine/", views_dues.my_dues, name="my_dues"),
    path("dues/reliefs/", views_dues.reliefs, name="reliefs"),
    path("dues/<int:branch_id>/", views_dues.branch_dues, name="dues"),
    path("dues/<int:branch_id>/report/", views_dues.dues_report, name="dues_report"),
]
urlpatterns += [
    path("study/", views_study.my_study, name="my_study"),
    path("study/<int:branch_id>/", views_study.branch_study, name="branch_study"),
    path("study/<int:branch_id>/missing.xlsx", views_study.branch_study_xlsx, name="branch_study_xlsx"),
]
