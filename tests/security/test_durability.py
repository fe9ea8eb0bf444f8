# ruff: noqa: S310 - requests go to the local test server only
"""A server killed in the middle of a burst of submissions loses nothing it confirmed and leaves
nothing half-written.

A real uvicorn process on the test PostgreSQL database takes survey answers and appraisal ballots from
many browser-like clients at once (session cookie, CSRF token from the form); it is SIGKILLed once part
of the burst has been answered. Afterwards every confirmed submission is in the database, complete, and
the who-took-part rows match the anonymous rows one to one. The restarted server then takes the rest.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from django.test import Client

from evaluation import mixing, receipt_codes
from evaluation.models import Participation as BallotParticipation
from evaluation.models import Receipt
from surveys.models import Participation as SurveyParticipation
from tests.concurrency import free_port, served_database_url
from tests.security import scenario

ROOT = Path(__file__).resolve().parents[2]
VOTERS = 40  # 80 submissions: one survey answer and one ballot each
KILL_AFTER = 25  # confirmed submissions before the SIGKILL
THREADS = 16

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": served_database_url()}
    env.pop("REDIS_URL", None)  # one process: the in-memory channel layer will do
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except urllib.error.HTTPError:
            return process  # it answers: 503 only says a dependency is degraded
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"uvicorn on port {port} did not start")
            time.sleep(0.2)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Browser:
    """One voter's browser: their session cookie, and the CSRF cookie and token from a form."""

    session: str
    csrf_cookie: str = ""
    token: str = ""

    def _open(self, request):
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            return opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:  # 3xx/4xx/5xx are answers too
            return error

    def get_form(self, url: str) -> None:
        response = self._open(urllib.request.Request(url, headers={"Cookie": f"sessionid={self.session}"}))
        html = response.read().decode()
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        cookie = response.headers.get_all("Set-Cookie") or []
        self.csrf_cookie = next(re.match(r"csrftoken=([^;]+)", c).group(1) for c in cookie if c.startswith("csrftoken"))

    def post(self, url: str, fields: dict) -> tuple[int, str, str]:
        pairs = [("csrfmiddlewaretoken", self.token)]
        for key, value in fields.items():
            pairs += [(key, v) for v in value] if isinstance(value, list) else [(key, value)]
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(pairs).encode(),
            headers={
                "Cookie": f"sessionid={self.session}; csrftoken={self.csrf_cookie}",
                "Referer": url,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = self._open(request)
        return response.status, response.headers.get("Location", ""), response.read().decode()


def _session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


RECEIPT = re.compile(r'<p class="card receipt"><code id="receipt-code">([A-Z2-9]{4}(?:-[A-Z2-9]{4}){3})</code></p>')


@dataclass
class Submission:
    voter: object
    kind: str  # "survey" or "ballot"
    confirmed: bool = False
    receipt: str = ""
    error: str = ""


def _submit(base: str, page, campaign, voter, browser: Browser, kind: str, fields: dict) -> Submission:
    done = Submission(voter, kind)
    try:
        if kind == "survey":
            status, location, _html = browser.post(base + page.url, fields)
            done.confirmed = status == 302 and location.endswith("?done=1")
        else:
            status, _location, html = browser.post(f"{base}/evaluation/{campaign.pk}/ballot/", fields)
            match = RECEIPT.search(html)
            done.confirmed = status == 200 and match is not None
            done.receipt = match.group(1) if match else ""
        if not done.confirmed:
            done.error = f"HTTP {status}"
    except OSError as error:  # connection refused or reset: the server is gone
        done.error = type(error).__name__
    return done


def _stored(campaign, page, submission: Submission) -> bool:
    if submission.kind == "ballot":
        return BallotParticipation.objects.filter(campaign=campaign, voter=submission.voter).exists()
    return SurveyParticipation.objects.filter(survey=page, user=submission.voter).exists()


def test_a_server_killed_mid_burst_keeps_every_confirmed_submission_and_no_half_written_one(
    tree, branch_a, secretary_a
):
    started = time.monotonic()
    voters = scenario.members(branch_a, VOTERS, probationary=4)
    campaign = scenario.open_campaign(branch_a, secretary_a)
    page = scenario.anonymous_survey(branch_a)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_server(port)
    try:
        browsers = []
        for voter in voters:  # each browser loads the survey form once: session + CSRF cookie and token
            browser = Browser(_session(voter))
            browser.get_form(base + page.url)
            browsers.append(browser)

        confirmed = threading.Semaphore(0)
        killed = threading.Event()

        def killer():
            for _ in range(KILL_AFTER):
                confirmed.acquire()
            os.kill(server.pid, signal.SIGKILL)
            killed.set()

        # Survey answers and ballots interleaved, as they would arrive from a meeting room.
        jobs = [(i, kind) for i in range(VOTERS) for kind in ("ballot", "survey")]
        forms = {
            (i, kind): scenario.ballot_form(campaign, voters[i], i)
            if kind == "ballot"
            else scenario.survey_form(page, i)
            for i, kind in jobs
        }

        def work(job):
            index, kind = job
            result = _submit(base, page, campaign, voters[index], browsers[index], kind, forms[job])
            if result.confirmed:
                confirmed.release()
            return result

        threading.Thread(target=killer, daemon=True).start()
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(work, jobs))
        assert killed.wait(10), "the burst ended before the server was killed"
        server.wait(timeout=10)
        assert server.returncode == -signal.SIGKILL

        ok = [r for r in results if r.confirmed]
        lost = [r for r in results if not r.confirmed]
        assert len(ok) >= KILL_AFTER and lost, "the kill must land in the middle of the burst"

        # Every confirmed submission is stored.
        for result in ok:
            if result.kind == "ballot":
                assert BallotParticipation.objects.filter(campaign=campaign, voter=result.voter).exists(), result
            else:
                assert SurveyParticipation.objects.filter(survey=page, user=result.voter).exists(), result
        # Nothing half-written: complete responses and ballots, participation rows one to one.
        counts = scenario.assert_whole(campaign, page)
        assert counts["ballots"] >= sum(r.kind == "ballot" for r in ok)
        # The sealed ballots open, and every confirmed receipt is among the mixed ones.
        mixing.mix(campaign, final=True)
        digests = set(Receipt.objects.filter(campaign=campaign).values_list("digest", flat=True))
        for result in ok:
            if result.kind == "ballot":
                assert receipt_codes.receipt_digest(receipt_codes.normalise_receipt(result.receipt)) in digests, result
        scenario.assert_whole(campaign, page)
        assert counts["responses"] >= sum(r.kind == "survey" for r in ok)
        assert counts["ballots"] <= VOTERS and counts["responses"] <= VOTERS

        # The restarted server takes the rest. A submission stored without its answer reaching the
        # browser is refused as a second one (ballot: 409; survey: the "already answered" page).
        server = _start_server(port)
        for result in lost:
            index = voters.index(result.voter)
            already = _stored(campaign, page, result)
            again = _submit(
                base, page, campaign, result.voter, browsers[index], result.kind, forms[(index, result.kind)]
            )
            if already:
                assert not again.confirmed and again.error == ("HTTP 409" if result.kind == "ballot" else "HTTP 200")
            else:
                assert again.confirmed, (result.kind, again.error)
        counts = scenario.assert_whole(campaign, page)
        assert counts["ballots"] == counts["ballot_participations"] == VOTERS
        assert counts["responses"] == counts["survey_participations"] == VOTERS
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
    assert time.monotonic() - started < 60
