"""The responses export as a person gets it: the button posts, a job writes the file, its page offers it."""

from django.utils.http import urlencode


def export_responses(client, page, fmt: str, params: dict | None = None):
    """Start the export (a POST, with the results page's filters), follow it to its job, download the file."""
    url = page.url + f"export/responses/{fmt}/" + (f"?{urlencode(params)}" if params else "")
    started = client.post(url)
    assert started.status_code == 302 and started["Location"].startswith("/jobs/"), started
    return client.get(started["Location"] + "download/")


def export_aggregates(client, page, fmt: str, params: dict | None = None):
    """Start the summary export (a POST, with the results page's filters), follow it to its job, download it."""
    url = page.url + f"export/aggregates/{fmt}/" + (f"?{urlencode(params)}" if params else "")
    started = client.post(url)
    assert started.status_code == 302 and started["Location"].startswith("/jobs/"), started
    return client.get(started["Location"] + "download/")
