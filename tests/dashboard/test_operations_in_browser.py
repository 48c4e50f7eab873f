"""The Operations page in Chromium: a staff member signs in, finds the page in the menu,
sees a stuck job and sweeps it with the button."""

import pytest
from playwright.sync_api import expect

from apps.accounts.services import user_signup
from tests.dashboard.test_operations import stuck_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_sweep_a_stuck_job_from_the_operations_page(live_server, page, alice):
    user_signup(email="ops@example.com", password="pw-12345678", is_staff=True)
    job = stuck_job(alice.workspace)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill("ops@example.com")
    page.get_by_label("Password").fill("pw-12345678")
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Operations").click()
    expect(page.get_by_role("heading", name="Operations", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stuck-count")).to_have_text("1")
    expect(page.get_by_test_id("stuck-row")).to_contain_text(job.public_id)
    expect(page.get_by_test_id("queue-row").first).to_contain_text("celery")
    expect(page.get_by_test_id("ops-providers")).to_contain_text("Runway")
    expect(page.get_by_test_id("backlog-open")).to_have_text("0")

    page.get_by_test_id("sweep").click()
    expect(page.get_by_text("Sweep done — timed out: 1")).to_be_visible()
    expect(page.get_by_test_id("stuck-count")).to_have_text("0")
    expect(page.get_by_test_id("stuck-row")).to_have_count(0)
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_member_who_is_not_staff_has_no_operations_page(live_server, page, alice):
    alice.user.set_password("pw-alice-123456")
    alice.user.save()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(alice.user.email)
    page.get_by_label("Password").fill("pw-alice-123456")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Studio", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Operations")).to_have_count(0)
    response = page.goto(f"{live_server.url}/operations/")
    assert response is not None and response.status == 403
    expect(page.get_by_text("You do not have permission")).to_be_visible()
