"""The sealed ballot box: what a database reader holds cannot be opened, and nothing after the key is gone."""

import base64
import os

import pytest

from django.core.exceptions import ImproperlyConfigured

from core import sealing


@pytest.fixture(autouse=True)
def _key_dir(settings, tmp_path):
    settings.SEALING_KEY_DIR = tmp_path / "keys"
    settings.SEALING_WRAP_KEY = base64.b64encode(os.urandom(32)).decode()


def test_sealed_payload_opens_only_with_the_boxs_key():
    public = sealing.create_key("appraisal-abc")
    other = sealing.create_key("appraisal-def")
    blob = sealing.seal(public, {"grades": {"1": "excellent"}, "note": "按时交纳党费"})
    assert b"excellent" not in blob and "按时".encode() not in blob
    assert sealing.open_all("appraisal-abc", [blob]) == [{"grades": {"1": "excellent"}, "note": "按时交纳党费"}]
    assert other != public
    with pytest.raises(sealing.SealingError):
        sealing.open_all("appraisal-def", [blob])


def test_blob_length_does_not_reveal_the_length_of_a_note():
    public = sealing.create_key("survey-len")
    short = sealing.seal(public, {"note": ""})
    long = sealing.seal(public, {"note": "很" * 100})
    assert len(short) == len(long)


def test_private_key_on_disk_is_wrapped_and_never_plain(settings):
    sealing.create_key("appraisal-wrap")
    stored = (settings.SEALING_KEY_DIR / "appraisal-wrap.key").read_bytes()
    private = sealing._private_key("appraisal-wrap")
    assert bytes(private) not in stored
    settings.SEALING_WRAP_KEY = base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(sealing.SealingError):
        sealing._private_key("appraisal-wrap")


def test_a_box_cannot_get_a_second_key():
    sealing.create_key("appraisal-once")
    with pytest.raises(FileExistsError):
        sealing.create_key("appraisal-once")


def test_after_destroy_nothing_opens():
    public = sealing.create_key("appraisal-gone")
    blob = sealing.seal(public, {"grade": "qualified"})
    sealing.destroy("appraisal-gone")
    assert not sealing.has_key("appraisal-gone")
    with pytest.raises(sealing.SealingError):
        sealing.open_all("appraisal-gone", [blob])
    sealing.destroy("appraisal-gone")  # twice is harmless


def test_workers_destroying_one_key_at_once_all_succeed():
    from concurrent.futures import ThreadPoolExecutor

    for round_ in range(20):  # the race (one checks the file, another deletes it) needs a few tries to show
        scope = f"appraisal-race-{round_}"
        sealing.create_key(scope)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _i, scope=scope: sealing.destroy(scope), range(8)))
        assert not sealing.has_key(scope)


def test_scope_names_cannot_escape_the_key_directory():
    with pytest.raises(ValueError):
        sealing.create_key("../../etc/passwd")


def test_wrap_key_of_the_wrong_size_is_refused(settings):
    settings.SEALING_WRAP_KEY = base64.b64encode(b"short").decode()
    with pytest.raises(ImproperlyConfigured):
        sealing.create_key("appraisal-bad")


def test_shuffle_keeps_every_item():
    items = list(range(50))
    assert sorted(sealing.shuffled(items)) == items
