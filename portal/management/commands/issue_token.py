from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.roles import role_of
from portal.services import token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print its key (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Issued from the command line")
        parser.add_argument(
            "--days", type=int, default=None, help="Days until it expires (default: API_TOKEN_DEFAULT_DAYS)."
        )

    def handle(self, username, name, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if role_of(user) is None:
            raise CommandError(f"{username!r} has no role in the 287(g) program; give them one first.")
        if days is not None and not 1 <= days <= 365:
            raise CommandError("--days must be between 1 and 365.")
        token = token_create(user=user, name=name, expires_in_days=days)
        self.stdout.write(token.plain_key)
