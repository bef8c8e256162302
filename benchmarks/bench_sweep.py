"""The compliance sweep and the agency list over a program of national size.

Prints seconds and query counts for: the first sweep (opening findings), a second sweep
(nothing new), and the first page of the agency list for HQ and for a field manager.
Usage: python benchmarks/bench_sweep.py [AGENCIES]   (default 5,000)
"""

import datetime as dt
import random
import sys

from _setup import measure, setup_django

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from agreements.models import Agency, Agreement, FieldOffice, agency_match_key  # noqa: E402
from portal.compliance.sweep import sweep_run  # noqa: E402
from portal.models import StaffProfile  # noqa: E402
from portal.roles import Role  # noqa: E402
from staffing.models import Assignment  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
rng = random.Random(287)
offices = list(FieldOffice.objects.all())
User = get_user_model()
pms = [User(username=f"bench-pm{i}", email=f"bench-pm{i}@ice.dhs.gov") for i in range(N // 12)]
User.objects.bulk_create(pms)
pms = list(User.objects.filter(username__startswith="bench-pm"))
StaffProfile.objects.bulk_create(
    [StaffProfile(user=u, role=Role.FIELD_PM, field_office=offices[i % len(offices)]) for i, u in enumerate(pms)]
)
chief = User.objects.create(username="bench-chief")
StaffProfile.objects.create(user=chief, role=Role.UNIT_CHIEF)

with measure(f"create {N} agencies, agreements, assignments"):
    Agency.objects.bulk_create(
        [
            Agency(
                name=f"Bench County {i} Sheriff's Office",
                match_key=agency_match_key(f"Bench County {i} Sheriff's Office"),
                state=offices[i % len(offices)].state,
                field_office=offices[i % len(offices)],
            )
            for i in range(N)
        ],
        batch_size=2000,
    )
    agencies = list(Agency.objects.values_list("id", flat=True))
    Agreement.objects.bulk_create(
        [Agreement(agency_id=a, program_model="jem", status="signed", signed_on=dt.date(2020, 1, 1)) for a in agencies],
        batch_size=2000,
    )
    rows = []
    for a in agencies:
        primary, backup = rng.sample(pms, 2)
        if rng.random() < 0.95:
            rows.append(Assignment(agency_id=a, program_manager=primary, kind="primary", starts_on=dt.date(2020, 1, 1)))
        if rng.random() < 0.7:
            rows.append(Assignment(agency_id=a, program_manager=backup, kind="backup", starts_on=dt.date(2020, 1, 1)))
    Assignment.objects.bulk_create(rows, batch_size=2000)

with measure("sweep 1 (opens findings)"):
    run = sweep_run(notify=False)
print(f"  findings opened: {run.opened}")
with measure("sweep 2 (nothing new)"):
    run = sweep_run(notify=False)
print(f"  findings opened: {run.opened}")

for label, user in (("HQ", chief), ("field manager", pms[0])):
    client = APIClient()
    client.force_authenticate(user)
    client.get("/api/v1/agencies/?page_size=1")
    with measure(f"GET /api/v1/agencies/?page_size=100 as {label}"):
        response = client.get("/api/v1/agencies/?page_size=100")
    assert response.status_code == 200
