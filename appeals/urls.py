from django.urls import path

from appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.report, name="new"),
    path("handle/", views.handle, name="handle"),
    path("board/", views.board, name="board"),
    path("board/<slug:community_code>/", views.board, name="board_community"),
    path("board/grid/<slug:grid_code>/", views.board, name="board_grid"),
    path("volunteer/", views.volunteer, name="volunteer"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("<int:appeal_id>/", views.detail, name="detail"),
    path("<int:appeal_id>/row/", views.row, name="row"),
    path("<int:appeal_id>/support/", views.support, name="support"),
    path("<int:appeal_id>/act/", views.act, name="act"),
    path("<int:appeal_id>/rate/", views.rate, name="rate"),
]
