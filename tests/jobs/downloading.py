"""A report as a person gets it: the button posts, a job writes the file (the immediate backend runs it at
once in tests), the job's page offers it and its download link serves it."""

from jobs.models import Job


def start_job(client, url: str) -> Job:
    """POST the report's address (as its button does): the answer goes to the new job's progress page."""
    started = client.post(url)
    assert started.status_code == 302 and started["Location"].startswith("/jobs/"), started
    return Job.objects.get(pk=int(started["Location"].strip("/").split("/")[-1]))


def download_report(client, url: str):
    """Start the report's job and download its file (the response of /jobs/<id>/download/)."""
    job = start_job(client, url)
    assert job.status == Job.Status.DONE, (job.status, job.error)
    return client.get(f"/jobs/{job.pk}/download/")


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
