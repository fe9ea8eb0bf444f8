from django.urls import path

from orglife import views

app_name = "orglife"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.schedule, name="schedule"),
    path("<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/sign-in/", views.signin_screen, name="signin_screen"),
    path("<int:pk>/attendance/", views.tick, name="tick"),
    path("<int:pk>/minutes/", views.save_minutes, name="minutes"),
    path("<int:pk>/make-up/", views.makeup, name="makeup"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/record.pdf", views.record_pdf, name="record_pdf"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("s/<str:token>/", views.sign_in, name="sign_in"),
    path("ledger/<int:pk>/<int:year>.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("ledger/<int:pk>/<int:year>.pdf", views.ledger_pdf, name="ledger_pdf"),
    path("terms/<int:pk>/", views.term_detail, name="term"),
    path("terms/<int:pk>/election/", views.election, name="election"),
]
