"""Photos lose their metadata, are seen only by the reporter and handlers; the reporter stays confidential."""

import io

import pytest
from PIL import Image

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.factories import UserFactory
from appeals import handling, photos
from appeals.models import Photo

from .conftest import photo_bytes

pytestmark = pytest.mark.django_db


def report(user, category, grid, **kwargs):
    return handling.report(user, category=category, grid=grid, description="楼道灯坏了", **kwargs)


def stored_image(photo: Photo) -> Image.Image:
    with photo.image.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


def test_a_photo_loses_its_gps_and_camera_details_and_is_made_smaller(neighbour, lamp, grids, worker_1, upload):
    appeal = report(neighbour, lamp, grids[0], uploads=[upload()])
    image = stored_image(appeal.photos.get())
    assert not image.getexif() and "exif" not in image.info
    assert max(image.size) == 1600
    appeal.refresh_from_db()
    assert appeal.latitude is None and appeal.longitude is None


def test_a_resident_who_shares_the_location_gives_it_to_the_request_not_to_the_file(
    neighbour, lamp, grids, worker_1, upload
):
    appeal = report(neighbour, lamp, grids[0], uploads=[upload()], share_location=True)
    appeal.refresh_from_db()
    assert float(appeal.latitude) == pytest.approx(39.904167, abs=1e-5)
    assert float(appeal.longitude) == pytest.approx(116.391667, abs=1e-5)
    assert not stored_image(appeal.photos.get()).getexif()


def test_a_file_that_is_not_a_photo_is_refused_with_a_message_and_nothing_is_stored(neighbour, lamp, grids, worker_1):
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    with pytest.raises(photos.PhotoError):
        report(neighbour, lamp, grids[0], uploads=[fake])
    assert not neighbour.appeals.exists()


def test_too_many_photos_are_refused(neighbour, lamp, grids, worker_1, upload):
    with pytest.raises(handling.ActionError):
        report(neighbour, lamp, grids[0], uploads=[upload(size=(50, 50)) for _ in range(5)])


def test_photos_are_served_to_the_reporter_and_the_handler_only(
    client, neighbour, lamp, grids, worker_1, worker_2, upload
):
    appeal = report(neighbour, lamp, grids[0], uploads=[upload(size=(80, 60))])
    url = f"/appeals/photos/{appeal.photos.get().pk}/"
    assert client.get(url).status_code == 404
    for user, status in ((neighbour, 200), (worker_1, 200), (worker_2, 404), (UserFactory(), 404)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status
        if status == 200:
            assert response["Content-Type"] == "image/jpeg" and "no-store" in response["Cache-Control"]
            assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
            assert "attachment" not in response.get("Content-Disposition", "")
            assert response["X-Content-Type-Options"] == "nosniff"


def test_a_photo_whose_file_is_gone_answers_404_not_500(client, neighbour, lamp, grids, worker_1, upload):
    appeal = report(neighbour, lamp, grids[0], uploads=[upload(size=(80, 60))])
    photo = appeal.photos.get()
    photo.image.storage.delete(photo.image.name)
    client.force_login(neighbour)
    assert client.get(f"/appeals/photos/{photo.pk}/").status_code == 404


def test_photos_live_outside_the_media_root(settings, neighbour, lamp, grids, worker_1, upload):
    appeal = report(neighbour, lamp, grids[0], uploads=[upload(size=(80, 60))])
    photo = appeal.photos.get()
    path = photo.image.path
    assert not path.startswith(str(settings.MEDIA_ROOT))
    assert path.startswith(str((settings.PRIVATE_ROOT / "appeal-photos").resolve()))
    with pytest.raises(ValueError):
        _ = photo.image.url  # no URL of its own: only the checked view hands it out


def test_a_handler_of_another_grid_sees_nothing_private(client, neighbour, lamp, grids, worker_1, worker_2, editor_b):
    appeal = report(neighbour, lamp, grids[0])
    handling.reply(appeal, worker_1, "内部：住户电话已核实", public=False)
    for outsider in (worker_2, editor_b):
        assert not outsider.has_perm("appeals.view_appeal", appeal)
        assert not outsider.has_perm("appeals.see_reporter", appeal)
        client.force_login(outsider)
        page = client.get(f"/appeals/{appeal.pk}/").content.decode()
        assert "王小明" not in page and "13800000001" not in page and "住户电话已核实" not in page
        assert f"appeal-{appeal.pk}" not in client.get("/appeals/handle/?tab=area").content.decode()
        assert client.get(f"/appeals/{appeal.pk}/row/").status_code == 404
        assert client.post(f"/appeals/{appeal.pk}/act/", {"action": "accept"}).status_code == 404


def test_the_handler_sees_who_reported_and_internal_notes(client, neighbour, lamp, grids, worker_1):
    appeal = report(neighbour, lamp, grids[0])
    handling.reply(appeal, worker_1, "内部：住户电话已核实", public=False)
    client.force_login(worker_1)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "王小明" in page and "13800000001" in page and "住户电话已核实" in page


def test_the_reporter_does_not_see_internal_notes(client, neighbour, lamp, grids, worker_1):
    appeal = report(neighbour, lamp, grids[0])
    handling.reply(appeal, worker_1, "内部：住户电话已核实", public=False)
    client.force_login(neighbour)
    assert "住户电话已核实" not in client.get(f"/appeals/{appeal.pk}/").content.decode()


def test_the_unit_complained_about_never_learns_who_reported(
    client, neighbour, lamp, grids, worker_1, secretary_a, branch_a, org_admin
):
    appeal = report(neighbour, lamp, grids[0], complaint="grid")
    handling.reply(appeal, org_admin, "街道已受理投诉", public=True)
    for concerned in (secretary_a, worker_1):
        assert not concerned.has_perm("appeals.handle", appeal)
        assert not concerned.has_perm("appeals.see_reporter", appeal)
        client.force_login(concerned)
        response = client.get(f"/appeals/{appeal.pk}/")
        page = response.content.decode()
        assert "王小明" not in page and "13800000001" not in page
    assert org_admin.has_perm("appeals.see_reporter", appeal)


def test_the_public_page_and_board_never_name_the_reporter(client, neighbour, lamp, private_category, grids, worker_1):
    public = report(neighbour, lamp, grids[0])
    private = handling.report(neighbour, category=private_category, grid=grids[0], description="独居老人需要帮助")
    response = client.get(f"/appeals/{public.pk}/")
    assert response.status_code == 200 and "王小明" not in response.content.decode()
    assert client.get(f"/appeals/{private.pk}/").status_code == 404
    board = client.get("/appeals/board/heping/").content.decode()
    assert "楼道灯坏了" in board and "独居老人" not in board and "王小明" not in board


def test_a_resident_who_agreed_is_named_on_the_board(client, neighbour, lamp, grids, worker_1):
    report(neighbour, lamp, grids[0], show_name=True)
    assert "王小明" in client.get("/appeals/board/").content.decode()


def test_a_hidden_request_leaves_the_board(client, neighbour, lamp, grids, worker_1):
    appeal = report(neighbour, lamp, grids[0])
    handling.hide(appeal, worker_1, True)
    assert "楼道灯坏了" not in client.get("/appeals/board/").content.decode()
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 404


def test_photo_bytes_really_carry_gps_before_cleaning():
    image = Image.open(photo_bytes())
    assert image.getexif().get_ifd(0x8825)


def test_a_request_with_words_of_the_review_list_stays_off_the_board_until_shown(
    client, neighbour, lamp, grids, worker_1
):
    from consultation.models import Keyword

    Keyword.objects.create(word="骗子")
    appeal = report(neighbour, lamp, grids[0], place="物业都是骗子")
    assert appeal.hidden and "楼道灯坏了" not in client.get("/appeals/board/").content.decode()
    handling.hide(appeal, worker_1, False)
    assert "楼道灯坏了" in client.get("/appeals/board/").content.decode()


def test_a_grid_worker_sees_nothing_of_another_grid_of_the_same_branch(
    client, neighbour, private_category, grids, worker_1, branch_a, tree, upload
):
    from appeals import dispatch
    from appeals.factories import make_duty
    from appeals.models import Appeal
    from organizations.factories import GridFactory
    from organizations.models import Residence

    grid_c = GridFactory(community=tree["community"], name="第三网格", code="heping-g3")
    worker_c = UserFactory(display_name="网格员三")
    make_duty(grid_c, worker=worker_c, branch=branch_a)
    resident_c = UserFactory(display_name="李四")
    Residence.objects.create(user=resident_c, grid=grid_c)
    appeal = report(resident_c, private_category, grid_c, uploads=[upload(size=(80, 60))])
    assert appeal.unit_id == branch_a.pk

    assert not Appeal.objects.for_handler(worker_1).filter(pk=appeal.pk).exists()
    assert worker_1.pk not in dispatch.handler_ids(appeal) and worker_c.pk in dispatch.handler_ids(appeal)
    client.force_login(worker_1)
    for tab in ("here", "overdue", "area", "closed"):
        assert f"appeal-{appeal.pk}" not in client.get(f"/appeals/handle/?tab={tab}").content.decode()
    for url in (f"/appeals/{appeal.pk}/", f"/appeals/{appeal.pk}/row/", f"/appeals/photos/{appeal.photos.get().pk}/"):
        assert client.get(url).status_code in (403, 404)
    client.force_login(worker_c)
    assert client.get(f"/appeals/{appeal.pk}/").status_code == 200
    assert f"appeal-{appeal.pk}" in client.get("/appeals/handle/").content.decode()
