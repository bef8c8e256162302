import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from portal.compliance.models import Finding
from portal.models import StaffProfile
from portal.roles import Role

PASSWORD = "Test-password-287g!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@ice.dhs.gov")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    role = Role.HQ_ANALYST
    field_office = None


def staff(role: str, office=None, username: str | None = None, **kwargs):
    """A user with a staff profile of ``role`` (and ``office`` for field roles)."""
    user = UserFactory(**({"username": username} if username else {}), **kwargs)
    StaffProfileFactory(user=user, role=role, field_office=office)
    user.refresh_from_db()
    return user


class AgencyFindingFactory(factory.django.DjangoModelFactory):
    """An open sweep finding about an agency (``agency=`` is required): its subject, label
    and field office follow the agency. The rule defaults to one about backup managers."""

    class Meta:
        model = Finding

    rule = "agreements.no_backup_manager"
    category = factory.LazyAttribute(lambda f: f.rule.split(".", 1)[0])
    subject_type = factory.LazyAttribute(lambda f: ContentType.objects.get_for_model(f.agency))
    subject_id = factory.SelfAttribute("agency.pk")
    subject_label = factory.LazyAttribute(lambda f: str(f.agency))
    field_office = factory.SelfAttribute("agency.field_office")
