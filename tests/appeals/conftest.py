"""Fixtures for residents' requests: two grids of the shared tree, each with its worker and branch.

grid (第一网格, branch_a, worker_1) and grid_2 (第二网格, branch_b, worker_2), both in the community;
neighbour lives in grid 1 and reports; photos go to a temporary PRIVATE_ROOT.
"""

import io

import pytest
from PIL import Image

from accounts.factories import UserFactory
from appeals.factories import make_category, make_duty
from appeals.models import Category, Level, TimeUnit
from organizations.factories import GridFactory
from organizations.models import Residence


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def grids(tree):
    grid_2 = GridFactory(community=tree["community"], name="第二网格", code="heping-g2")
    return tree["grid"], grid_2


@pytest.fixture
def worker_1(grids, branch_a):
    user = UserFactory(display_name="网格员一")
    make_duty(grids[0], worker=user, branch=branch_a)
    return user


@pytest.fixture
def worker_2(grids, branch_b):
    user = UserFactory(display_name="网格员二")
    make_duty(grids[1], worker=user, branch=branch_b)
    return user


@pytest.fixture
def neighbour(grids):
    user = UserFactory(display_name="王小明", phone="13800000001")
    Residence.objects.create(user=user, grid=grids[0])
    return user


@pytest.fixture
def lamp(db):
    return make_category(
        "路灯照明", accept_within=1, accept_unit=TimeUnit.WORKDAYS, finish_within=3, finish_unit=TimeUnit.WORKDAYS
    )


@pytest.fixture
def private_category(db):
    return make_category("邻里求助", visibility=Category.Visibility.PRIVATE)


@pytest.fixture
def street_category(db):
    return make_category("市政道路", responsible_level=Level.STREET)


def photo_bytes(*, gps: bool = True, size=(3000, 2000), fmt="JPEG") -> io.BytesIO:
    """A photo as a phone sends it: large, with camera details and (by default) a GPS position."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    if gps:
        exif[0x8825] = {1: "N", 2: (39.0, 54.0, 15.0), 3: "E", 4: (116.0, 23.0, 30.0)}
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, exif=exif)
    buffer.seek(0)
    buffer.name = "photo.jpg"
    return buffer


@pytest.fixture
def upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(**kwargs):
        return SimpleUploadedFile("IMG_0001.jpg", photo_bytes(**kwargs).getvalue(), content_type="image/jpeg")

    return make
