"""P5: 500 signed-in residents follow one consultation live, half on each of two worker processes.

Members post through nginx one after another; every client records when each post arrives. Latency
runs from just before the post's HTTP request is sent to its arrival at a client, so it includes
saving the post. Targets: p95 under 250 ms, no message lost, in each of RUNS runs (bench/run.py).
The same with 1,000 clients is reported (`measure(..., clients=LARGE_CLIENTS)`): its only target is
no message lost, the brief sets no latency for it.
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlencode

import websockets

from django.contrib.auth import get_user_model

from bench.common import CSRF, form_post_headers, percentile, request, session_cookies
from consultation.rules import can_receive_live, can_take_part

CLIENTS, POSTS, GAP_S = 500, 20, 0.25
RUNS, LARGE_CLIENTS = 3, 1000


def people(consultation, clients: int = CLIENTS) -> tuple[list, list]:
    """Listeners (residents who may follow it) and posters (people who may post: one post each).

    Staff are left out: production asks them to enrol TOTP before they may post."""
    users = get_user_model().objects.filter(is_active=True).order_by("pk")
    listeners, posters = [], []
    for user in users.iterator():
        if user.has_perm("wagtailadmin.access_admin"):
            continue
        if len(posters) < POSTS and can_take_part(user, consultation):
            posters.append(user)
        elif len(listeners) < clients and can_receive_live(user, consultation):
            listeners.append(user)
        if len(listeners) == clients and len(posters) == POSTS:
            break
    return listeners, posters


async def _listen(uri: str, origin: str, session: str, ready: asyncio.Event, arrivals: dict, stop: asyncio.Event):
    headers = {"Cookie": f"sessionid={session}", "Origin": origin}
    async with websockets.connect(uri, additional_headers=headers, open_timeout=60, ping_interval=None) as ws:
        ready.set()
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            message = json.loads(raw)
            if message.get("kind") == "post.created":  # events carry the post's id, never its text
                arrivals.setdefault(message["data"]["id"], []).append(time.perf_counter())


async def _scenario(base_url, worker_ports, consultation, listeners, posters, sessions):
    arrivals: dict[int, list[float]] = {}
    stop = asyncio.Event()
    readies, tasks = [], []
    for index, user in enumerate(listeners):
        port = worker_ports[index % len(worker_ports)]
        ready = asyncio.Event()
        uri = f"ws://127.0.0.1:{port}/ws/consultations/{consultation.pk}/"
        readies.append(ready)
        listen = _listen(uri, f"http://127.0.0.1:{port}", sessions[user.pk], ready, arrivals, stop)
        tasks.append(asyncio.create_task(listen))
        if index % 50 == 49:
            await asyncio.sleep(0.2)  # connect in waves, as a neighbourhood opens the page over minutes
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
    await asyncio.sleep(1)
    sent, statuses = {}, []
    for number, user in enumerate(posters):
        body = f"第{number + 1}条实时意见：支持加装电梯，建议尽快召开协调会。"
        form = urlencode({"csrfmiddlewaretoken": CSRF, "body": body}).encode()
        headers = {**form_post_headers(sessions[user.pk]), "Accept": "application/json"}
        started = time.perf_counter()
        reply = await request(f"{base_url}/consultations/{consultation.pk}/posts/", method="POST", body=form,
                              headers=headers)  # fmt: skip
        statuses.append(reply.status)
        if reply.status == 200:
            sent[json.loads(reply.body)["id"]] = started
        await asyncio.sleep(GAP_S)
    await asyncio.sleep(3)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    return sent, arrivals, statuses


def measure(base_url: str, worker_ports: list[int], consultation, clients: int = CLIENTS) -> dict:
    """One run with `clients` listeners; only CLIENTS (500) has a latency target."""
    listeners, posters = people(consultation, clients)
    sessions = session_cookies(listeners + posters)
    sent, arrivals, statuses = asyncio.run(
        _scenario(base_url, worker_ports, consultation, listeners, posters, sessions)
    )
    latencies = [(t - sent[post]) * 1000 for post, times in arrivals.items() if post in sent for t in times]
    expected = len(listeners) * len(sent)
    p95 = percentile(latencies, 0.95) if latencies else float("inf")
    return {
        "clients": len(listeners),
        "processes": len(worker_ports),
        "posts": len(sent),
        "post_statuses": sorted(set(statuses)),
        "deliveries": len(latencies),
        "lost": expected - len(latencies),
        "p50_ms": round(percentile(latencies, 0.5), 1) if latencies else None,
        "p95_ms": round(p95, 1),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "targets": {
            **({"p95 < 250 ms": p95 < 250} if clients == CLIENTS else {}),
            "0 lost": expected == len(latencies) and statuses == [200] * POSTS,
        },
    }
