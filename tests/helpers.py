"""Assertions and small tools shared by the test modules."""

import socket
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.models import Status, StatusChange, Ticket


def history_steps(ticket: Ticket) -> list[tuple[str | None, str]]:
    """The ticket's history as (from, to) pairs, oldest first, read from the database."""
    return list(
        StatusChange.objects.filter(ticket_id=ticket.pk)
        .order_by("created_at", "id")
        .values_list("from_status", "to_status")
    )


def assert_history_consistent(ticket: Ticket) -> None:
    """SPEC §2: the history starts with `null -> new`, each step starts where the previous
    one ended, and the last one ends at the ticket's status (as stored, not as cached)."""
    status = Ticket.objects.values_list("status", flat=True).get(pk=ticket.pk)
    steps = history_steps(ticket)
    assert steps, f"ticket {ticket.pk} has no history"
    assert steps[0] == (None, Status.NEW), f"history starts with {steps[0]}, not null -> new"
    for previous, current in zip(steps, steps[1:], strict=False):
        assert current[0] == previous[1], f"broken history chain: {previous} then {current}"
    assert steps[-1][1] == status, f"history ends at {steps[-1][1]}, ticket is {status}"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fan_out() -> None:
    """Make the deliveries of every event that has none yet, as a worker does once the
    change commits (in a test's transaction, nothing commits)."""
    from notifications.models import Event
    from notifications.services import event_fan_out

    for event_id in Event.objects.filter(fanned_out=False).values_list("pk", flat=True):
        event_fan_out(event_id)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    """A file as a client uploads it (the declared type is never trusted)."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root: Path) -> list[Path]:
    """Every file under a media folder (the `media` fixture's)."""
    return [path for path in root.rglob("*") if path.is_file()]


# The API's operations some roles may not call at all (a 403 before anything is read): the
# queues, the macros and applying one are the agents'; writing macros and the help centre
# is the supervisors'. Every other operation is open to each role (its own rules apply).
AGENTS_ONLY = ("/api/v1/queues/", "/api/v1/macros/", "/api/v1/tickets/{id}/apply-macro/")
SUPERVISORS_WRITE = ("/api/v1/macros/", "/api/v1/help/articles/", "/api/v1/help/announcements/")


def refused_to(role: str, method: str, path: str) -> bool:
    """Whether `role` ("requester", "agent", "supervisor") may not call the operation
    `method path` (a path as the schema writes it) at all."""
    supervisors_only = method.lower() != "get" and path.startswith(SUPERVISORS_WRITE)
    if role == "requester":
        return supervisors_only or path.startswith(AGENTS_ONLY)
    return role == "agent" and supervisors_only
