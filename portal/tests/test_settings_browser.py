"""The Unit Chief's journey on the settings page in headless Chromium, on a fresh demo
database, checked with axe, with a screenshot kept under var/test-artifacts/."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_unit_chief_changes_the_staffing_model_in_settings(
    page, live_server, axe, demo_site, demo_login, keep_screenshot
):
    from staffing.models import StaffingModel

    # given the Unit Chief on the settings page, reached from the header
    demo_login(page, "chief")
    page.get_by_role("link", name="Settings").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Settings"
    axe(page)
    # when a refused value is saved, its reason is on its field
    section = page.locator("section#staffing-model")
    section.get_by_label("Certified officers per program manager").fill("0")
    section.get_by_role("button", name="Save staffing model").click()
    page.wait_for_load_state()
    section = page.locator("section#staffing-model")
    assert section.locator(".usa-error-message").count() == 1
    axe(page)
    # then a valid value is saved and in the history
    section.get_by_label("Certified officers per program manager").fill("10")
    section.get_by_role("button", name="Save staffing model").click()
    page.wait_for_load_state()
    assert "Staffing model: saved." in page.locator("body").inner_text()
    assert StaffingModel.current().officers_per_pm == 10
    assert "Last changed by" in page.locator("section#staffing-model").inner_text()
    assert "Last changed by" not in page.locator("section#sweep").inner_text()  # reading created it, nobody changed it
    axe(page)
    keep_screenshot(page, "settings-unit-chief")
