"""`manage.py create_token USERNAME`: a new API token for the user, printed alone on
standard output (for scripts and benchmarks: TOKEN=$(manage.py create_token alice))."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = "Make a new API token for a user and print it (it is stored only as a hash)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        token, key = services.token_create(user=user)
        self.stdout.write(key)
        self.stderr.write(f"Expires {token.expiry.isoformat()} unless used.", style_func=str)
