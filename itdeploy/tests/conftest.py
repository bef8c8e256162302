import datetime as dt

import pytest
import time_machine

#: The tests' "today": two months after the world's agreements were signed (2017-06-01).
TODAY = dt.date(2017, 8, 1)


@pytest.fixture
def frozen():
    with time_machine.travel(dt.datetime(2017, 8, 1, 16, 0, tzinfo=dt.UTC), tick=False):
        yield TODAY


@pytest.fixture
def plan(db):
    """The default plan and settings (reloaded if a transactional test flushed them)."""
    from itdeploy.models import InstallationSettings, ProgramModelSetting, StepTemplate
    from itdeploy.plan import load_default_plan

    load_default_plan(StepTemplate, ProgramModelSetting, InstallationSettings)
    return StepTemplate.objects.all()


@pytest.fixture
def installations(world, plan, frozen):
    """The three world agencies' installations, opened on today's date (in progress),
    and OCIO's one dedicated installer."""
    from .factories import InstallerFactory, open_for

    InstallerFactory(name="R. Ortiz (dedicated)")

    return {key: open_for(agreement) for key, agreement in world["agreements"].items()}
