"""Without the mediapipe package (CPython 3.13 has no wheel) the local background remover
is refused at submit, before any credit is held, naming what is available instead."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.billing.models import CreditHold
from apps.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_a_job_naming_the_remover_is_refused_and_holds_nothing(alice_api, mp4, monkeypatch):
    monkeypatch.setattr("apps.catalog.selectors.matte_installed", lambda: False)
    with mp4.open("rb") as fh:
        body = {"operation": "remove-background", "model": "local/remove-background"}
        body["source_file"] = SimpleUploadedFile(mp4.name, fh.read())
    response = alice_api.post("/api/v1/process", body, format="multipart")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "MODEL_UNAVAILABLE"
    assert "mediapipe" in error["message"]
    assert (Job.objects.count(), CreditHold.objects.count()) == (0, 0)
