"""Load a benchmark database: N tickets (default 1,000,000) with about 5 messages and 3
history rows each, 100,000 requesters and 50 agents. Run by hand (see bench/README.md):

    .venv/bin/python bench/generate.py --tickets 1000000

It (re)creates a database of its own (default helpdesk_bench; never a test database nor
`helpdesk`), migrates it, so every index of the migrations is there, drops the big tables'
secondary indexes, streams the rows in with COPY (psycopg 3's `cursor.copy()`), rebuilds
the indexes and runs VACUUM ANALYZE. It prints the time of each step and writes the API
users and search terms the load tests use to bench/.bench-<database>.json.

The data: tickets over two years, the last days' mostly new or open, older ones resolved or
closed; English and Chinese subjects and descriptions built from support phrases; 40% of
the tickets carry a transaction id (64 hex, or 0x and 64 hex), some two. Requesters are
skewed (a few have thousands of tickets, most one or two); `requester1` has the most.
History is consistent: `null -> new` first, each row's from is the previous row's to,
and the last row's to is the ticket's status.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTECTED = {"helpdesk", "postgres", "template0", "template1"}
# Every bench's --pg default: BENCH_PG, or the local server as the postgres user.
PG_DEFAULT = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# The Redis database the HTTP benches' gunicorn publishes to (flushed at the end).
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
AGENTS = 50
CHUNK = 20_000  # tickets per COPY buffer
NULL = "\\N"  # COPY's text format

CATEGORIES = ["account", "trading", "deposit_withdrawal", "security", "api", "other"]
CATEGORY_WEIGHTS = [20, 20, 35, 10, 5, 10]
PRIORITIES = ["low", "normal", "high", "urgent"]
PRIORITY_WEIGHTS = [15, 60, 20, 5]
COINS = ["BTC", "ETH", "USDT", "USDC", "SOL", "XRP", "TRX", "BNB", "DOGE", "LTC"]
NETWORKS = ["ERC20", "TRC20", "BEP20", "Solana", "Bitcoin", "Arbitrum", "Polygon"]

# (English subject, Chinese subject) per category; {coin} and {net} are filled in.
SUBJECTS = {
    "deposit_withdrawal": [
        ("{coin} withdrawal not received", "{coin} 提现未到账"),
        ("{coin} deposit on {net} missing", "{coin} {net} 充值未到账"),
        ("Withdrawal stuck in processing", "提现一直处于处理中"),
        ("Deposit credited with wrong amount", "充值到账金额不对"),
        ("Sent {coin} to the wrong network", "{coin} 转错网络了"),
        ("Withdrawal fee for {coin} too high", "{coin} 提现手续费太高"),
        ("Missing memo on {coin} deposit", "{coin} 充值忘记填写备注"),
    ],
    "account": [
        ("Cannot log in after 2FA reset", "重置二次验证后无法登录"),
        ("KYC verification stuck in review", "实名认证一直在审核中"),
        ("Account locked after password change", "修改密码后账户被锁定"),
        ("Change the email address of my account", "修改账户绑定邮箱"),
        ("Phone number verification code not arriving", "手机验证码收不到"),
    ],
    "trading": [
        ("Futures position liquidated unexpectedly", "合约仓位被意外强平"),
        ("Spot order filled at a wrong price", "现货订单成交价格异常"),
        ("Limit order not executed", "限价单没有成交"),
        ("Funding fee charged twice", "资金费率被重复收取"),
        ("Margin call without notification", "追加保证金没有收到通知"),
    ],
    "security": [
        ("Suspicious login from unknown device", "陌生设备登录我的账户"),
        ("Anti-phishing code not shown in email", "邮件中没有显示防钓鱼码"),
        ("Unauthorized withdrawal attempt", "有人试图盗取我的资产"),
        ("Please freeze my account", "请冻结我的账户"),
    ],
    "api": [
        ("API key returns 401 on order endpoint", "API 下单接口返回 401"),
        ("WebSocket disconnects every minute", "WebSocket 每分钟断开一次"),
        ("Rate limit reached too early", "接口频率限制触发过早"),
    ],
    "other": [
        ("Question about the referral program", "关于邀请返佣活动的问题"),
        ("Feedback on the mobile app", "对手机应用的建议"),
        ("Tax statement for last year", "申请去年的交易税务报表"),
    ],
}
EN_SENTENCES = [
    "I sent {amount} {coin} from my wallet {hours} hours ago and it still has not arrived.",
    "The transaction shows as confirmed on the {net} explorer.",
    "Please check what happened and tell me when the funds will be credited.",
    "I already contacted live chat but nobody answered.",
    "This is urgent, I need the funds to close a position.",
    "The app shows an error code {code} when I try again.",
    "I have attached a screenshot of the transfer.",
    "My account balance is lower than it should be.",
    "I followed every step of the help center article.",
    "Could you please escalate this to the responsible team?",
    "It worked fine until yesterday evening.",
    "I am using the iOS app, version 5.{hours}.",
]
ZH_SENTENCES = [
    "我在{hours}小时前从钱包转出了 {amount} {coin}，到现在还没有到账。",
    "区块浏览器上显示交易已经确认。",
    "请尽快帮我核实并告诉我什么时候能到账。",
    "我已经联系了在线客服但是没有人回复。",
    "这件事很紧急，我需要这笔资金来平仓。",
    "再次尝试时应用显示错误代码 {code}。",
    "我已经附上了转账截图。",
    "我的账户余额比应有的少。",
    "请帮我转交给相关部门处理。",
    "昨天晚上之前一切正常。",
]
EN_REPLIES = [
    "Thank you for contacting us. We are looking into it.",
    "Could you send us the transaction hash and a screenshot?",
    "The deposit has been credited to your account.",
    "Our team has escalated the case, please allow 24 hours.",
    "Thanks, that solved it.",
    "Any update on this?",
    "We have reset the verification, please try again.",
]
ZH_REPLIES = [
    "感谢您的耐心等待，我们正在处理。",
    "请提供交易哈希和截图。",
    "您的充值已经到账，请查收。",
    "问题已经提交给技术团队，请耐心等待24小时。",
    "谢谢，问题已经解决。",
    "请问现在有进展吗？",
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Timer:
    def __init__(self):
        self.steps: list[tuple[str, float]] = []

    def step(self, name: str, started: float) -> None:
        elapsed = time.monotonic() - started
        self.steps.append((name, elapsed))
        log(f"{name}: {elapsed:.1f}s")


def _admin(pg: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def setup_django(pg: str, database: str, **env: str) -> None:
    """Django in this process on `database`, production settings, no broker or Redis."""
    os.environ.update(
        {
            "DATABASE_URL": f"{pg}/{database}",
            "DJANGO_SECRET_KEY": "bench-only-secret",
            "DJANGO_DEBUG": "false",
            "CELERY_BROKER_URL": "memory://",
            "REDIS_URL": "",
            "LOG_LEVEL": "WARNING",
            **env,
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fill(text: str, rnd: random.Random) -> str:
    return text.format(
        coin=rnd.choice(COINS),
        net=rnd.choice(NETWORKS),
        amount=f"{rnd.randint(1, 5000) / 100:g}",
        hours=rnd.randint(1, 72),
        code=f"E{rnd.randint(1000, 9999)}",
    )


def _txid(rnd: random.Random) -> str:
    digits = f"{rnd.getrandbits(256):064x}"
    return "0x" + digits if rnd.random() < 0.4 else digits


def _status_for(age_days: float, p: float) -> str:
    if age_days < 3:
        table = [(0.35, "new"), (0.75, "open"), (0.85, "pending"), (0.9, "on_hold")]
        default = "resolved"
    elif age_days < 30:
        table = [(0.1, "open"), (0.2, "pending"), (0.25, "on_hold"), (0.45, "resolved")]
        default = "closed"
    else:
        table = [(0.01, "resolved"), (0.012, "open")]
        default = "closed"
    for bound, status in table:
        if p < bound:
            return status
    return default


def _path_to(status: str, rnd: random.Random) -> list[str]:
    """The statuses a ticket went through, `new` first, `status` last (a legal walk)."""
    if status == "new":
        return ["new"]
    path = ["new", "open"]
    if status == "open":
        return path if rnd.random() < 0.8 else ["new", "open", "pending", "open"]
    if status in ("pending", "on_hold"):
        return [*path, status]
    if status == "resolved":
        return [*path, "resolved"]
    # closed: mostly resolved then auto-closed; some withdrawn by the requester while open.
    return [*path, "resolved", "closed"] if rnd.random() < 0.6 else [*path, "closed"]


def _ts(value: datetime) -> str:
    return value.isoformat()


def load_users(cursor, requesters: int, timer: Timer) -> tuple[int, list[int]]:
    """Requesters and agents (with the Agents group and preferences); returns ids."""
    started = time.monotonic()
    joined = _ts(datetime.now(UTC) - timedelta(days=800))
    # An unusable password: the load tests authenticate with tokens.
    with cursor.copy(
        "COPY auth_user (password, is_superuser, username, first_name, last_name, email, "
        "is_staff, is_active, date_joined) FROM STDIN"
    ) as copy:
        lines = []
        for k in range(1, requesters + 1):
            lines.append(f"!\tf\trequester{k}\t\t\trequester{k}@example.com\tf\tt\t{joined}\n")
        for k in range(1, AGENTS + 1):
            lines.append(
                f"!\tf\tagent{k}\tAgent\t{k}\tagent{k}@support.example.com\tt\tt\t{joined}\n"
            )
        copy.write("".join(lines))
    cursor.execute("SELECT id FROM auth_user WHERE username = 'requester1'")
    first_requester = cursor.fetchone()[0]
    cursor.execute("SELECT id FROM auth_user WHERE username LIKE 'agent%' ORDER BY id")
    agent_ids = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT u.id, g.id FROM auth_user u, "
        "auth_group g WHERE g.name = 'Agents' AND u.username LIKE 'agent%'"
    )
    cursor.execute(
        "INSERT INTO notifications_preferences (user_id, language, anti_phishing_code, "
        "email_enabled, in_site_enabled) SELECT id, CASE WHEN id % 3 = 0 THEN 'zh-hans' "
        "ELSE 'en' END, '', true, true FROM auth_user"
    )
    timer.step(f"{requesters:,} requesters and {AGENTS} agents", started)
    return first_requester, agent_ids


def load_tickets(cursor, tickets: int, requesters: int, first_requester: int, agents, queues):
    """Tickets, messages and history in one pass over the tickets, three COPY streams."""
    rnd = random.Random(42)
    now = datetime.now(UTC).replace(microsecond=0)
    span = timedelta(days=730)
    subjects = {c: SUBJECTS[c] for c in CATEGORIES}
    counts = {"messages": 0, "history": 0}
    ticket_rows, message_rows, history_rows = [], [], []

    def flush():
        for table, columns, rows in (
            (
                "tickets_ticket",
                "id, subject, description, category, priority, status, channel, requester_id, "
                "assignee_id, queue_id, tags, occurred_at, error_code, transaction_ids, "
                "steps_to_reproduce, contact_phone, created_at, updated_at, first_response_at, "
                "resolved_at, closed_at, version",
                ticket_rows,
            ),
            ("tickets_message", "ticket_id, author_id, internal, body, created_at", message_rows),
            (
                "tickets_statuschange",
                "ticket_id, from_status, to_status, changed_by_id, reason, created_at",
                history_rows,
            ),
        ):
            if rows:
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write("".join(rows))
                rows.clear()

    for tid in range(1, tickets + 1):
        age = span * (1 - tid / tickets)
        created = now - age - timedelta(seconds=rnd.randint(0, 3600))
        age_days = age.total_seconds() / 86400
        status = _status_for(age_days, rnd.random())
        category = rnd.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        priority = rnd.choices(PRIORITIES, PRIORITY_WEIGHTS)[0]
        # Skewed: requester1 has ~0.3% of all tickets, most requesters one to a few.
        requester = first_requester + min(int(requesters * rnd.random() ** 2), requesters - 1)
        chinese = rnd.random() < 0.3
        en, zh = rnd.choice(subjects[category])
        subject = _fill(zh if chinese else en, rnd)
        sentences = ZH_SENTENCES if chinese else EN_SENTENCES
        description = ("" if chinese else " ").join(
            _fill(s, rnd) for s in rnd.sample(sentences, rnd.randint(2, 5))
        )
        tx = rnd.random()
        txids = []
        if tx < 0.4:
            txids = [_txid(rnd)] if tx < 0.32 else [_txid(rnd), _txid(rnd)]
        assignee = rnd.choice(agents) if status != "new" else None
        # History: one step every few hours (minutes for the newest tickets).
        path = _path_to(status, rnd)
        step = timedelta(minutes=rnd.randint(5, 600)) if age_days > 3 else timedelta(minutes=7)
        when = created
        previous = "\\N"
        resolved_at = closed_at = "\\N"
        for to in path:
            actor = (
                requester
                if previous in ("\\N",) or to == "closed" and rnd.random() < 0.3
                else assignee
            )
            actor_text = "\\N" if actor is None else str(actor)
            history_rows.append(f"{tid}\t{previous}\t{to}\t{actor_text}\t\t{_ts(when)}\n")
            if to == "resolved":
                resolved_at = _ts(when)
            elif to == "closed":
                closed_at = _ts(when)
            previous = to
            when += step
        counts["history"] += len(path)
        # Messages: the description's follow-ups and the desk's replies, ~5 per ticket.
        replies = ZH_REPLIES if chinese else EN_REPLIES
        mwhen = created
        first_response = "\\N"
        for k in range(rnd.randint(1, 9) if status != "new" else rnd.randint(0, 2)):
            from_desk = assignee is not None and k % 2 == 1
            author = assignee if from_desk else requester
            internal = "t" if from_desk and rnd.random() < 0.1 else "f"
            mwhen += timedelta(minutes=rnd.randint(1, 240) if age_days > 3 else 1)
            if from_desk and first_response == "\\N":
                first_response = _ts(mwhen)
            body = rnd.choice(replies)
            message_rows.append(f"{tid}\t{author}\t{internal}\t{body}\t{_ts(mwhen)}\n")
            counts["messages"] += 1
        updated = max(when - step, mwhen)
        assignee_text = NULL if assignee is None else assignee
        ticket_rows.append(
            f"{tid}\t{subject}\t{description}\t{category}\t{priority}\t{status}\tapi\t"
            f"{requester}\t{assignee_text}\t{queues[category]}\t[]\t"
            f"\\N\t\t{json.dumps(txids)}\t\t\t{_ts(created)}\t{_ts(updated)}\t"
            f"{first_response}\t{resolved_at}\t{closed_at}\t{len(path)}\n"
        )
        if tid % CHUNK == 0:
            flush()
            if tid % (CHUNK * 10) == 0:
                log(f"  {tid:,} tickets")
    flush()
    return counts


def load(cursor, tickets: int, requesters: int, timer: Timer) -> dict:
    first_requester, agent_ids = load_users(cursor, requesters, timer)
    cursor.execute("SELECT default_for, id FROM tickets_queue WHERE default_for IS NOT NULL")
    queues = dict(cursor.fetchall())
    tables = ["tickets_ticket", "tickets_message", "tickets_statuschange"]
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT LIKE '%%_pkey'",
        [tables],
    )
    indexes = cursor.fetchall()
    # The foreign keys would check every row: drop them for the load, add them back after.
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
        [tables],
    )
    foreign_keys = cursor.fetchall()
    for table, name, _definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    started = time.monotonic()
    counts = load_tickets(cursor, tickets, requesters, first_requester, agent_ids, queues)
    cursor.execute(
        "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
        "(SELECT max(id) FROM tickets_ticket))"
    )
    timer.step(
        f"COPY {tickets:,} tickets, {counts['messages']:,} messages, "
        f"{counts['history']:,} history rows",
        started,
    )
    started = time.monotonic()
    cursor.execute("SET maintenance_work_mem = '1GB'")
    cursor.execute("SET max_parallel_maintenance_workers = 2")
    for name, definition in indexes:
        index_started = time.monotonic()
        cursor.execute(definition)
        log(f"  index {name}: {time.monotonic() - index_started:.1f}s")
    timer.step(f"{len(indexes)} indexes rebuilt", started)
    started = time.monotonic()
    for table, name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID')
    timer.step(
        f"{len(foreign_keys)} foreign keys restored (NOT VALID: rows are not rechecked)", started
    )
    return {"first_requester": first_requester, "agents": agent_ids, **counts}


def bench_facts(cursor, database: str, loaded: dict) -> dict:
    """Who the load tests act as, and search terms. The load tests make themselves a new
    token for these users on each run (`manage.py create_token`): tokens expire."""
    users = {}
    for role, user_id in (("requester", loaded["first_requester"]), ("agent", loaded["agents"][0])):
        cursor.execute("SELECT username FROM auth_user WHERE id = %s", [user_id])
        users[role] = cursor.fetchone()[0]
    cursor.execute(
        "SELECT transaction_ids->>0 FROM tickets_ticket WHERE id >= "
        "(SELECT max(id) / 2 FROM tickets_ticket) AND transaction_ids <> '[]' ORDER BY id LIMIT 1"
    )
    txid = cursor.fetchone()[0]
    cursor.execute(
        "SELECT count(*) FROM tickets_ticket WHERE requester_id = %s", [loaded["first_requester"]]
    )
    own = cursor.fetchone()[0]
    cursor.execute(
        "SELECT q.slug, count(*) FROM tickets_ticket t JOIN tickets_queue q ON q.id = t.queue_id "
        "WHERE t.status = 'open' GROUP BY q.slug ORDER BY 2 DESC LIMIT 1"
    )
    queue, open_in_queue = cursor.fetchone()
    return {
        "database": database,
        "users": users,
        "requester_tickets": own,
        "queue": queue,
        "open_in_queue": open_in_queue,
        "txid": txid,
        "english": "liquidated unexpectedly",
        "chinese": "提现未到账",
        "rare": "E4821",  # an error code quoted in a few descriptions
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--requesters", type=int, default=100_000)
    parser.add_argument("--database", default="helpdesk_bench")
    parser.add_argument("--pg", default=PG_DEFAULT)
    args = parser.parse_args()
    if args.database in PROTECTED or "test" in args.database:
        parser.error(f"refusing to overwrite {args.database}")
    requesters = min(args.requesters, max(args.tickets // 2, 1))

    total = time.monotonic()
    timer = Timer()
    started = time.monotonic()
    _admin(args.pg, f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
    _admin(args.pg, f"CREATE DATABASE {args.database}")
    setup_django(args.pg, args.database)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    timer.step("database created and migrated", started)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for copy()
        loaded = load(cursor, args.tickets, requesters, timer)
        facts = bench_facts(cursor, args.database, loaded)
    connection.close()
    import psycopg

    started = time.monotonic()
    with psycopg.connect(f"{args.pg}/{args.database}", autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        facts["size"] = size.fetchone()[0]
    timer.step("VACUUM ANALYZE", started)
    facts["tickets"] = args.tickets
    facts["messages"] = loaded["messages"]
    facts["history"] = loaded["history"]
    facts["load_seconds"] = round(time.monotonic() - total, 1)
    out = ROOT / "bench" / f".bench-{args.database}.json"
    out.write_text(json.dumps(facts, indent=2, ensure_ascii=False))
    print(
        f"\n{args.tickets:,} tickets into {args.database} ({facts['size']}) "
        f"in {facts['load_seconds']}s\n"
    )
    print("| step | seconds |\n| --- | ---: |")
    for name, seconds in timer.steps:
        print(f"| {name} | {seconds:.1f} |")
    print(
        f"\nrequester1 owns {facts['requester_tickets']:,} tickets; queue {facts['queue']} has "
        f"{facts['open_in_queue']:,} open; users and search terms in {out}"
    )
    print(json.dumps(facts["users"]))


if __name__ == "__main__":
    main()
