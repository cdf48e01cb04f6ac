"""Demo data for a first look: a user of each role, a dozen tickets in various states and
the desk's macros, made through the services so every ticket has its history. Safe to run
twice: each run prints a new token per user (the earlier ones keep working until they
expire)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts import services as accounts
from accounts.roles import GROUPS, Role
from tickets import macros, services
from tickets.models import Category, Macro, Priority, Status, Ticket

DEMO_PASSWORD = "helpdesk-demo"

USERS = [
    # username, email, staff, group
    ("alice", "alice@example.com", False, None),
    ("bob", "bob@example.com", True, GROUPS[Role.AGENT]),
    ("carol", "carol@example.com", True, GROUPS[Role.SUPERVISOR]),
]

TICKETS = [
    # subject, category, priority, steps to take, details
    (
        "Withdrawal of 0.5 BTC still pending after 6 hours",
        Category.DEPOSIT_WITHDRAWAL,
        Priority.HIGH,
        [],
        {"transaction_ids": ["9f2c6a1e0b7d4c3a8e5f1d2b3c4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"]},
    ),
    (
        "USDT deposit on TRC20 not credited",
        Category.DEPOSIT_WITHDRAWAL,
        Priority.NORMAL,
        ["reply"],
        {"error_code": "DEP_PENDING_CONFIRMATIONS"},
    ),
    (
        "Cannot pass KYC: selfie rejected",
        Category.ACCOUNT,
        Priority.NORMAL,
        ["reply", "pending"],
        {},
    ),
    (
        "2FA device lost, need to reset Google Authenticator",
        Category.SECURITY,
        Priority.HIGH,
        ["open", "on_hold"],
        {},
    ),
    (
        "Futures position liquidated below the mark price",
        Category.TRADING,
        Priority.HIGH,
        ["open"],
        {"occurred_at": "2026-11-20T08:15:00Z", "error_code": "LIQ_1002"},
    ),
    (
        "API returns 429 on /api/v3/order",
        Category.API,
        Priority.NORMAL,
        ["reply", "resolved"],
        {"error_code": "429"},
    ),
    ("Spot order stuck in 'new' state", Category.TRADING, Priority.LOW, [], {}),
    (
        "Account locked after password reset",
        Category.SECURITY,
        Priority.HIGH,
        ["reply", "resolved", "closed"],
        {},
    ),
    (
        "Wrong network selected for ETH withdrawal",
        Category.DEPOSIT_WITHDRAWAL,
        Priority.HIGH,
        ["open", "pending"],
        {"transaction_ids": ["0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"]},
    ),
    (
        "How do I change my anti-phishing code?",
        Category.ACCOUNT,
        Priority.LOW,
        ["reply", "resolved"],
        {},
    ),
    ("Margin interest charged twice", Category.TRADING, Priority.NORMAL, [], {}),
    ("Sub-account API key permissions", Category.API, Priority.LOW, ["open"], {}),
]


# name, body en, body zh, internal, status, reason, priority, add tags
MACROS = [
    (
        "Ask for the TxID",
        "Hello {requester_name},\n\nto trace this transfer we need its transaction hash (TxID). Please reply with it.\n\n{agent_name}, support ({reference})",
        "{requester_name}您好，\n\n为了追踪这笔转账，请回复提供交易哈希（TxID）。\n\n客服 {agent_name}（{reference}）",
        False,
        "pending",
        "Waiting for the TxID",
        "",
        ["txid-asked"],
    ),
    (
        "Withdrawal delayed by network congestion",
        "Hello {requester_name},\n\nyour withdrawal has left our wallet; the network is busy and it needs more confirmations. It will arrive without any action from you.\n\n{agent_name}",
        "{requester_name}您好，\n\n您的提现已从我们的钱包发出，目前网络拥堵，需要更多区块确认，无需任何操作即可到账。\n\n客服 {agent_name}",
        False,
        "resolved",
        "Network congestion",
        "",
        ["congestion"],
    ),
    (
        "Escalate to the wallet team",
        "Escalated by {agent_name}: please check the hot wallet for this transfer.",
        "",
        True,
        "on_hold",
        "Escalated to the wallet team",
        "high",
        ["wallet-team"],
    ),
]


class Command(BaseCommand):
    help = "Load demo users and tickets, and print the users' API tokens."

    def handle(self, *args, **options):
        users = {
            username: self._user(username, email, staff, group)
            for username, email, staff, group in USERS
        }
        requester, agent = users["alice"], users["bob"]
        if not Ticket.objects.filter(requester=requester).exists():
            for subject, category, priority, steps, details in TICKETS:
                ticket = services.ticket_create(
                    requester=requester,
                    subject=subject,
                    description=f"{subject}. Please help, details below.",
                    category=category,
                    priority=priority,
                    **details,
                )
                for step in steps:
                    if step == "reply":
                        services.message_add(
                            ticket=ticket, author=agent, body="Thanks, we are looking into it."
                        )
                    else:
                        reason = "Confirmed by the requester." if step == Status.CLOSED else ""
                        services.ticket_transition(
                            ticket=ticket, to=step, actor=agent, reason=reason
                        )
        for name, body_en, body_zh, internal, status, reason, priority, tags in MACROS:
            if not Macro.objects.filter(name=name).exists():
                macros.macro_save(
                    data={
                        "name": name,
                        "body_en": body_en,
                        "body_zh_hans": body_zh,
                        "internal": internal,
                        "status": status,
                        "reason": reason,
                        "priority": priority,
                        "add_tags": tags,
                    }
                )
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}), with a new token each:")
        for username, user in users.items():
            _token, key = accounts.token_create(user=user)
            self.stdout.write(f"  {username:6} {self._role(user):10} token {key}")

    def _user(self, username, email, staff, group):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": staff}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            if group:
                user.groups.add(Group.objects.get(name=group))
        return user

    @staticmethod
    def _role(user) -> str:
        from accounts.roles import role_for

        return str(role_for(user))
