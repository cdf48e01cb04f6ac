"""`manage.py receive_email` as an MTA runs it: a separate process, one message on
standard input, sysexits exit codes (SPEC §10)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.db import connections

from tests.mail.builders import email
from tests.mail.test_bad_input import PNG
from tickets.models import Channel, Ticket

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pipe(transactional_db, tmp_path):
    """pipe(raw, **env) -> (exit code, stdout, stderr) of receive_email on the test database."""
    db = connections["default"].settings_dict
    base = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DATABASE_POOL": "false",  # one message, one connection
        "HELPDESK_DATA_DIR": str(tmp_path),
    }

    def run(raw: bytes, **env: str):
        done = subprocess.run(
            [sys.executable, "manage.py", "receive_email"],
            cwd=ROOT,
            input=raw,
            env={**base, **env},
            capture_output=True,
            timeout=60,
        )
        return done.returncode, done.stdout.decode(), done.stderr.decode()

    return run


def test_a_piped_email_becomes_a_ticket_and_exits_0(pipe):
    code, out, _err = pipe(email(sender="kate@example.org", subject="Piped"))
    assert code == 0, _err
    ticket = Ticket.objects.get()
    assert out.strip() == f"stored ticket {ticket.pk} (new ticket)"
    assert (ticket.subject, ticket.channel) == ("Piped", Channel.EMAIL)


def test_a_duplicate_and_an_auto_reply_exit_0_and_store_nothing_more(pipe):
    raw = email(message_id="<dup@example.org>")
    assert pipe(raw)[0] == 0
    assert pipe(raw)[:2] == (0, "duplicate\n")
    code, out, _err = pipe(email(headers={"Auto-Submitted": "auto-replied"}))
    assert code == 0 and out.startswith("ignored")
    assert Ticket.objects.count() == 1


def test_input_that_is_no_email_exits_65(pipe):
    code, _out, err = pipe(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    assert code == 65 and "refused" in err
    assert pipe(b"")[0] == 65
    assert not Ticket.objects.exists()


def test_an_unavailable_database_exits_75_so_the_mta_retries(pipe):
    dead = "postgres://postgres@127.0.0.1:9/helpdesk"  # the discard port: nothing listens
    code, _out, err = pipe(email(), DATABASE_URL=dead)
    assert code == 75 and "temporary failure" in err


def test_unavailable_storage_exits_75_and_leaves_nothing_behind(pipe):
    not_a_directory = tempfile.NamedTemporaryFile()  # media root under a file: writes fail
    raw = email(attachments=[("s.png", PNG, "image/png")])
    code, _out, err = pipe(raw, HELPDESK_MEDIA_ROOT=f"{not_a_directory.name}/media")
    assert code == 75 and "storage unavailable" in err
    assert not Ticket.objects.exists()
    # once the storage is back, the MTA's retry goes through
    assert pipe(raw)[0] == 0
    assert Ticket.objects.count() == 1
