"""What `make run-prod` and site/deploy set up: documents never straight from /media/, and a bounded page cache
in a redis-server of its own (issue 13, Also and L3)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from django.core.files.base import ContentFile
from django.test import override_settings

from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from tests.concurrency import free_port

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _load_prodctl():
    spec = importlib.util.spec_from_file_location("prodctl_under_test", ROOT / "site" / "deploy" / "prodctl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def prodctl():
    return _load_prodctl()


def _topology(prodctl, tmp_path, **extra):
    environ = {"RUN_DIR": str(tmp_path / "run"), "PORT": str(free_port()), "MEDIA_ROOT": str(tmp_path / "media")}
    return prodctl.Topology({**environ, **extra})


def _locations(conf: str) -> dict[str, str]:
    return dict(re.findall(r"location\s+(\S+)\s*\{([^}]*)\}", conf))


def _check_media_locations(locations: dict[str, str]) -> None:
    assert "return 404" in locations["/media/"] and "alias" not in locations["/media/"]
    assert "internal" in locations["/_protected_media/"]
    public = [path for path, body in locations.items() if "alias" in body and "internal" not in body]
    assert sorted(public) == ["/media/images/", "/media/original_images/", "/static/"]


def test_the_generated_nginx_conf_serves_no_document_from_media(prodctl, tmp_path):
    topology = _topology(prodctl, tmp_path)
    _check_media_locations(_locations(topology.nginx_conf()))
    assert topology.env["DOCUMENTS_X_ACCEL_PREFIX"] == "/_protected_media/"


def test_the_server_example_serves_no_document_from_media():
    _check_media_locations(_locations((ROOT / "site" / "deploy" / "nginx.conf").read_text()))


@pytest.fixture
def readable_dir():
    """A directory nginx's workers (another user) can read, unlike pytest's tmp_path."""
    path = Path(tempfile.mkdtemp(prefix="gongzhi-nginx-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_nginx_answers_images_but_neither_documents_nor_the_internal_location(prodctl, readable_dir):
    topology = _topology(prodctl, readable_dir)
    media = readable_dir / "media"
    for name, text in [("images/logo.txt", "image"), ("documents/secret.txt", "机密"), ("other/x.txt", "x")]:
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_text(text)
    for path in media.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    media.chmod(0o755)
    topology.run.mkdir(parents=True)
    (topology.run / "nginx-tmp").mkdir()
    conf = topology.run / "nginx.conf"
    conf.write_text(topology.nginx_conf())
    subprocess.run([NGINX, "-p", str(topology.run), "-c", str(conf)], check=True)
    try:

        def status(path: str) -> int:
            try:
                return urllib.request.urlopen(f"{topology.url}{path}", timeout=5).status  # noqa: S310 - loopback
            except urllib.error.HTTPError as error:
                return error.code

        assert status("/media/images/logo.txt") == 200
        assert status("/media/documents/secret.txt") == 404
        assert status("/media/other/x.txt") == 404
        assert status("/_protected_media/documents/secret.txt") == 404
    finally:
        subprocess.run([NGINX, "-p", str(topology.run), "-c", str(conf), "-s", "quit"], check=False)


def test_run_prod_starts_a_bounded_evicting_cache_redis_apart_from_the_main_one(prodctl, tmp_path):
    port = free_port()
    topology = _topology(prodctl, tmp_path, CACHE_REDIS_PORT=str(port), CACHE_MAXMEMORY="64mb")
    assert topology.env["CACHE_REDIS_URL"] == f"redis://127.0.0.1:{port}/0"
    topology.run.mkdir(parents=True)
    topology._start_cache_redis()
    try:
        client = redis.Redis(port=port)
        assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
        assert int(client.config_get("maxmemory")["maxmemory"]) == 64 * 1024 * 1024
        assert client.config_get("save") == {"save": ""}
        assert len(topology.running_pids()) == 1
    finally:
        topology.stop()
    assert topology.running_pids() == []


def test_a_cache_redis_of_ones_own_is_used_as_given(prodctl, tmp_path):
    topology = _topology(prodctl, tmp_path, CACHE_REDIS_URL="redis://cache.example:6379/0")
    assert topology.env["CACHE_REDIS_URL"] == "redis://cache.example:6379/0" and not topology.own_cache_redis


@pytest.mark.django_db
def test_wagtail_checks_a_private_document_then_nginx_sends_it(client, tmp_path, resident):
    root = Collection.get_first_root_node()
    private = root.add_child(name="内部文件")
    CollectionViewRestriction.objects.create(collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    with override_settings(
        MEDIA_ROOT=str(tmp_path), SENDFILE_BACKEND="config.sendfile", DOCUMENTS_X_ACCEL_PREFIX="/_protected_media/"
    ):
        document = get_document_model().objects.create(title="会议纪要", collection=private)
        document.file.save("minutes.txt", ContentFile("机密内容".encode()))
        url = document.url
        assert url.startswith("/documents/")
        refused = client.get(url)
        assert refused.status_code == 302 and "X-Accel-Redirect" not in refused
        client.force_login(resident)
        served = client.get(url)
    assert served.status_code == 200
    assert served["X-Accel-Redirect"] == "/_protected_media/" + document.file.name
    assert served.get("Content-Length", "0") == "0" and served.content == b""  # nginx sends the file
    assert "attachment" in served["Content-Disposition"] or "inline" in served["Content-Disposition"]


def test_run_prod_refuses_a_main_redis_that_evicts(prodctl, tmp_path):
    port = free_port()
    cache = _topology(prodctl, tmp_path, CACHE_REDIS_PORT=str(port))
    cache.run.mkdir(parents=True)
    cache._start_cache_redis()  # an allkeys-lru server, standing in for a misconfigured main Redis
    try:
        topology = _topology(prodctl, tmp_path / "other", REDIS_URL=f"redis://127.0.0.1:{port}/0")
        with pytest.raises(prodctl.TopologyError, match="noeviction"):
            topology.check_main_redis()
        redis.Redis(port=port).config_set("maxmemory-policy", "noeviction")
        topology.check_main_redis()
    finally:
        cache.stop()
