"""The expected processing time follows the work (seconds x fps x pixels) for local models,
and the estimate shown before submit is that figure."""

import math

import pytest

from apps.catalog.preflight import job_preflight
from apps.catalog.timing import deadline_seconds, processing_time_expected_s

ESTIMATE_URL = "/api/v1/estimate-cost"
SMALL = {"model": "local/text-to-video", "duration": 5, "resolution": "480p"}
BIG = {"model": "local/text-to-video", "duration": 60, "resolution": "1080p", "fps": 60}


def estimate_s(api, fields) -> int:
    response = api.post(ESTIMATE_URL, fields, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["processing_time_estimate_s"]


@pytest.mark.django_db
def test_the_estimate_for_60_s_1080p_60_fps_is_much_larger_than_for_5_s_480p(anon_api, settings):
    settings.LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME, settings.LOCAL_ENGINE_OVERHEAD_S = 0.05, 2
    small, big = estimate_s(anon_api, SMALL), estimate_s(anon_api, BIG)
    # 60 s x 60 fps x 2.07 Mpx is 121x the frames-times-pixels of 5 s x 30 fps x 0.41 Mpx;
    # the fixed overhead keeps the ratio of the times below that.
    assert big > 30 * small
    # Six minutes (not the 16 s the estimate said for both before).
    assert big == math.ceil(2 + 60 * 60 * 1920 * 1080 / 1e6 * 0.05)


@pytest.mark.django_db
def test_each_of_seconds_fps_and_resolution_raises_the_estimate(anon_api):
    base = estimate_s(anon_api, {**SMALL, "fps": 30})
    assert estimate_s(anon_api, {**SMALL, "fps": 60}) > base
    assert estimate_s(anon_api, {**SMALL, "duration": 20, "fps": 30}) > base
    assert estimate_s(anon_api, {**SMALL, "resolution": "1080p", "fps": 30}) > base


@pytest.mark.django_db
def test_the_estimate_follows_the_local_engine_rate_setting(anon_api, settings):
    settings.LOCAL_ENGINE_OVERHEAD_S = 0
    settings.LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME = 0.05
    before = estimate_s(anon_api, BIG)
    settings.LOCAL_ENGINE_S_PER_MEGAPIXEL_FRAME = 0.1
    assert estimate_s(anon_api, BIG) == pytest.approx(2 * before, abs=1)


@pytest.mark.django_db
def test_a_processing_operation_scales_with_its_output_size(anon_api):
    fields = {"model": "local/enhance", "video_duration": 60}
    small = estimate_s(anon_api, {**fields, "resolution": "480p"})
    big = estimate_s(anon_api, {**fields, "resolution": "2160p"})
    assert big > 10 * small


@pytest.mark.django_db
def test_a_provider_model_spans_its_catalogue_range_from_its_lightest_to_heaviest_settings(
    anon_api,
):
    # seedance-lite-t2v: 30-180 s for 2-12 s at 480p-1080p.
    model = "seedance-lite-t2v"
    lightest = estimate_s(anon_api, {"model": model, "duration": 2, "resolution": "480p"})
    middle = estimate_s(anon_api, {"model": model, "duration": 6, "resolution": "720p"})
    heaviest = estimate_s(anon_api, {"model": model, "duration": 12, "resolution": "1080p"})
    assert (lightest, heaviest) == (30, 180)
    assert lightest < middle < heaviest


@pytest.mark.django_db
def test_each_of_seconds_and_resolution_raises_a_provider_estimate(anon_api):
    base = {"model": "pika-1.0", "duration": 3, "resolution": "576p"}
    first = estimate_s(anon_api, base)
    assert estimate_s(anon_api, {**base, "duration": 8}) > first
    assert estimate_s(anon_api, {**base, "resolution": "1080p"}) > first


@pytest.mark.django_db
def test_a_provider_model_whose_settings_cannot_vary_keeps_the_middle_of_its_range(anon_api):
    # midjourney-i2v: 5 s clips, one size, 60-300 s.
    fields = {"model": "midjourney-i2v", "image": "upload"}
    preflight = job_preflight(fields=fields, for_estimate=True)
    assert estimate_s(anon_api, fields) == processing_time_expected_s(preflight) == 180


@pytest.mark.django_db
def test_the_deadline_is_the_documented_multiple_of_the_expected_time_plus_the_floor(settings):
    preflight = job_preflight(fields=BIG, for_estimate=True)
    expected = processing_time_expected_s(preflight)
    assert deadline_seconds(preflight) == 120 + 6 * expected
    settings.JOBS_DEADLINE_FACTOR, settings.JOBS_DEADLINE_FLOOR_S = 2, 60
    assert deadline_seconds(preflight) == 60 + 2 * expected


@pytest.mark.django_db
def test_a_light_provider_job_keeps_the_deadline_of_the_middle_of_the_range():
    fields = {"model": "seedance-lite-t2v", "duration": 2, "resolution": "480p"}
    preflight = job_preflight(fields=fields, for_estimate=True)
    assert processing_time_expected_s(preflight) == 30
    assert deadline_seconds(preflight) == 120 + 6 * 105  # the middle of 30-180 s
