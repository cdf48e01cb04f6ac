"""`manage.py receive_email`: one raw email on standard input, for an MTA's pipe (SPEC §10).

Exit codes are sysexits(3)'s, which Postfix and Exim understand: 0 when the message was
stored or deliberately ignored (auto-reply, bounce, duplicate); 75 (EX_TEMPFAIL) when the
database or the storage is unavailable, so the MTA keeps the message and tries again; 65
(EX_DATAERR) when the input is no email, or is refused, so the MTA bounces it.
"""

import logging
import sys

from django.core.management.base import BaseCommand

from mail.parsing import Refused
from mail.services import TemporaryFailure, email_receive

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75

logger = logging.getLogger("mail.pipe")


class Command(BaseCommand):
    help = "Read one raw email on standard input and store it as a ticket or a reply."

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        try:
            result = email_receive(raw=raw, source="pipe")
        except Refused as exc:
            logger.warning("email refused: %s", exc)
            self.stderr.write(f"refused: {exc}")
            sys.exit(EX_DATAERR)
        except TemporaryFailure as exc:
            logger.warning("email not stored, try again later: %s", exc)
            self.stderr.write(f"temporary failure: {exc}")
            sys.exit(EX_TEMPFAIL)
        except Exception:  # an MTA retries 75; a bug must not bounce a customer's mail
            logger.exception("email not stored: unexpected error")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(
            f"{result.outcome}"
            + (f" ticket {result.ticket_id}" if result.ticket_id else "")
            + (f" ({result.reason})" if result.reason else "")
        )
        sys.exit(EX_OK)
