"""GET /healthz: can this process reach its database and its broker? 200 or 503.

It also says whether notifications are overdue (events without deliveries, deliveries
still pending, long past what the sweep should have taken up: a dead beat or worker, or a
broker that stayed down). That does not make the answer a 503 (the web process itself is
fine, and a load balancer must not take it out for it), so monitor `deliveries` too."""

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from kombu import Connection
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.selectors import overdue

from .api import StrictQueryMixin

AVAILABILITY = ["ok", "unavailable"]


@extend_schema_serializer(
    component_name="Health",
    description="Whether this process reaches its database and its broker (`status` is "
    "`ok` when both do), and whether notifications wait longer than they should "
    "(`deliveries: overdue`, with how many; `unknown` without the database).",
)
class HealthSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AVAILABILITY)
    database = serializers.ChoiceField(choices=AVAILABILITY)
    broker = serializers.ChoiceField(choices=AVAILABILITY)
    deliveries = serializers.ChoiceField(choices=["ok", "overdue", "unknown"])
    overdue = serializers.IntegerField(min_value=0)


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _check_broker() -> bool:
    timeout = settings.HEALTH_CHECK_TIMEOUT
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            # socket_timeout: a broker that accepts the connection but never answers must
            # not hang the probe (Redis reads have no timeout by default).
            transport_options={"socket_timeout": timeout, **options},
            connect_timeout=timeout,
        ) as conn:
            # One attempt: a retry would first sleep kombu's interval_start (2 s), and a
            # probe must answer within HEALTH_CHECK_TIMEOUT.
            conn.ensure_connection(max_retries=0, timeout=timeout)
        return True
    except Exception:
        return False


def _check_deliveries() -> tuple[str, int]:
    try:
        count = overdue(older_than_seconds=settings.NOTIFICATION_OVERDUE_SECONDS)
    except Exception:
        return "unknown", 0
    return ("overdue" if count else "ok"), count


class HealthView(StrictQueryMixin, APIView):
    authentication_classes = []
    permission_classes = []
    throttle_classes = []  # probed by load balancers every few seconds

    @extend_schema(
        responses={200: HealthSerializer, 503: HealthSerializer},
        summary="Check the service's health",
        description="200 when the database and the broker answer, 503 otherwise (for load "
        "balancers: no token needed, no rate limit). Monitor `deliveries` too.",
    )
    def get(self, request):
        database, broker = _check_database(), _check_broker()
        healthy = database and broker
        deliveries, late = _check_deliveries() if database else ("unknown", 0)
        body = {
            "status": "ok" if healthy else "unavailable",
            "database": "ok" if database else "unavailable",
            "broker": "ok" if broker else "unavailable",
            "deliveries": deliveries,
            "overdue": late,
        }
        return Response(body, status=200 if healthy else 503)
