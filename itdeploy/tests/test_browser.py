"""The board and the chart in headless Chromium, checked with axe."""

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def pipeline(world, people, plan, frozen):
    from itdeploy import services

    from .factories import InstallerFactory, open_for, steps_of

    InstallerFactory(name="R. Ortiz (dedicated)")
    opened = {key: open_for(a) for key, a in world["agreements"].items()}
    steps = steps_of(opened["mine"])
    on = dt.date(2017, 6, 2)
    for number in range(1, 7):
        if steps[number].started_on is None:
            services.step_start(step=steps[number], started_on=on, acting_user=people["ocio"])
        services.step_complete(step=steps[number], completed_on=on + dt.timedelta(days=3), acting_user=people["ocio"])
        on += dt.timedelta(days=3)
    return opened


def test_board_renders_and_passes_axe(page, live_server, login, axe, people, pipeline):
    login(page, people["chief"])
    page.goto(f"{live_server.url}/installations/?installers=2")
    assert page.get_by_role("heading", level=1).inner_text() == "IT installation pipeline"
    assert page.get_by_role("heading", name="Galveston County Sheriff's Office").is_visible()
    assert page.get_by_role("heading", name="With 2 dedicated installers").is_visible()
    axe(page)


def test_chart_renders_with_its_table_and_passes_axe(page, live_server, login, axe, people, pipeline):
    login(page, people["analyst"])
    page.goto(f"{live_server.url}/installations/chart/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('days-chart'))")
    assert page.evaluate("Chart.getChart(document.getElementById('days-chart')).data.datasets[1].data[0]") == 180
    assert page.get_by_role("table").first.is_visible()
    axe(page)


def test_installation_page_passes_axe(page, live_server, login, axe, people, pipeline):
    from .factories import steps_of

    login(page, people["pm_other"])
    page.goto(f"{live_server.url}{pipeline['houston_other'].get_absolute_url()}")
    first = steps_of(pipeline["houston_other"])[1]
    assert page.get_by_role("button", name=f"Complete: {first.name}").is_visible()
    assert page.get_by_role("button", name=f"Pause: {first.name}").is_visible()
    axe(page)
    # a refused pause (no reason chosen) comes back with its reason on the field, still axe clean
    page.get_by_role("combobox", name=f"Reason: {first.name}").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name=f"Pause: {first.name}").click()
    page.wait_for_load_state()
    assert page.locator(f"#step-{first.pk}-pause-reason-error").inner_text() == "Choose why the step is paused."
    axe(page)
