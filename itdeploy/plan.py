"""The default installation plan of domain.md (OIG-18-77 and ICE's response): six
steps, their owners, planned durations and the steps each starts after. With these
durations the critical path is 1-3-4-6 = 190 days, already past the 180-day goal."""

DEFAULT_PLAN = [
    # number, name, owner, kind, planned days, starts after
    (1, "Installation request submitted to OCIO management (staff allocated)", "hq_ocio", "request", 10, []),
    (2, "Interconnection Service Agreement (ISA) signed by the ICE CISO", "ciso", "isa", 45, [1]),
    (3, "Equipment bids and purchase order (OAQ)", "oaq", "purchase", 120, [1]),
    (4, "Equipment delivered", "vendor", "delivery", 30, [3]),
    (5, "T1 router installed by the telecom contractor", "telecom", "telecom", 90, [1]),
    (6, "Equipment installed and connected: operational", "ocio_installer", "install", 30, [2, 4, 5]),
]

PROGRAM_MODELS_NEEDING_INSTALLATION = {"jem": True, "tfm": False, "wso": False}


def load_default_plan(StepTemplate, ProgramModelSetting, InstallationSettings):
    """Create the default plan and settings where they are missing (also after a
    transactional test flushed the migration's rows)."""
    InstallationSettings.objects.get_or_create(pk=1)
    for model, needs in PROGRAM_MODELS_NEEDING_INSTALLATION.items():
        ProgramModelSetting.objects.get_or_create(program_model=model, defaults={"needs_installation": needs})
    if StepTemplate.objects.exists():
        return
    by_number = {}
    for number, name, owner, kind, days, _after in DEFAULT_PLAN:
        by_number[number] = StepTemplate.objects.create(
            number=number, name=name, owner=owner, kind=kind, planned_days=days
        )
    for number, *_rest, after in DEFAULT_PLAN:
        if after:
            by_number[number].depends_on.set([by_number[n] for n in after])
