"""Generated help-centre articles for the help benches (help_quality.py, helpcentre.py): the
per-coin pages that make up most of a real exchange's help centre — how to deposit and
withdraw a coin, its fees and minimums, networks, network upgrades, listings and
delistings, futures, margin, staking, buying it by card — in English and Chinese.

They share the words users type ("withdrawal", "fee", "network", 提现, 手续费, 网络...)
with the demo articles the labelled questions point at, so they are real competition for
the first three places, not padding. Deterministic for a given count and seed.
"""

import random

# Real tickers first, then made-up three- to five-letter ones for larger help centres.
TICKERS = (
    "BTC ETH USDT USDC BNB XRP SOL ADA DOGE TRX TON DOT MATIC LTC SHIB AVAX LINK ATOM XLM "
    "XMR ETC BCH FIL APT ARB OP NEAR ICP HBAR VET ALGO EGLD SAND MANA AXS THETA FTM EOS AAVE "
    "GRT FLOW XTZ CHZ KAVA ZEC DASH NEO IOTA CRV MKR SNX COMP ENJ BAT ZIL ONE KSM WAVES QTUM"
).split()
NETWORKS = ["ERC20", "TRC20", "BEP20", "Solana", "Arbitrum", "Polygon", "Optimism", "Avalanche C"]

# (English title, English body, Chinese title, Chinese body); {coin}, {net}, {other},
# {n}, {fee}, {minimum}, {date}, {days} are filled in.
TEMPLATES = [
    (
        "How to deposit {coin}",
        "Open **Wallet › Deposit**, choose {coin} and the {net} network, and copy the deposit "
        "address. A {coin} deposit is credited after {n} network confirmations. Sending {coin} "
        "on another network than the one shown may lose the funds.",
        "如何充值 {coin}",
        "打开**钱包 › 充值**，选择 {coin} 和 {net} 网络，复制充值地址。{coin} 充值在 {n} 个区块"
        "确认后到账。使用页面未显示的网络转账可能导致资产丢失。",
    ),
    (
        "How to withdraw {coin}",
        "Open **Wallet › Withdraw**, choose {coin}, the {net} network and an address from your "
        "address book. Withdrawals are reviewed and sent within 30 minutes; the TxID appears "
        "in your withdrawal history once the transfer is broadcast.",
        "如何提现 {coin}",
        "打开**钱包 › 提现**，选择 {coin}、{net} 网络和地址簿中的地址。提现审核后 30 分钟内发出，"
        "转账广播后可在提现记录中查看交易哈希（TxID）。",
    ),
    (
        "{coin} withdrawal fee and minimum amount",
        "Withdrawing {coin} on {net} costs a fee of {fee} {coin}; the minimum withdrawal is "
        "{minimum} {coin}. The fee follows the network's own cost and may change when the "
        "network is busy.",
        "{coin} 提现手续费与最小提现数量",
        "通过 {net} 网络提现 {coin} 收取 {fee} {coin} 手续费，最小提现数量为 {minimum} {coin}。"
        "手续费随网络成本调整，网络拥堵时可能变化。",
    ),
    (
        "Supported networks for {coin}",
        "{coin} can be deposited and withdrawn on {net} and {other}. Choose the same network "
        "on both sides of a transfer: a deposit sent on a network we do not list for {coin} "
        "is not credited automatically.",
        "{coin} 支持的网络",
        "{coin} 支持通过 {net} 和 {other} 网络充值和提现。转账双方请选择相同的网络：使用未列出的"
        "网络充值将无法自动到账。",
    ),
    (
        "{coin} network upgrade: deposits and withdrawals suspended on {date}",
        "To support the {coin} network upgrade, deposits and withdrawals of {coin} will be "
        "suspended from {date} for about {n} hours. Trading is not affected. We will resume "
        "them once the network is stable, without a further announcement.",
        "{coin} 网络升级：{date} 暂停充值和提现",
        "为支持 {coin} 网络升级，{coin} 充值和提现将于 {date} 起暂停约 {n} 小时，交易不受影响。"
        "网络稳定后将恢复充提，不再另行公告。",
    ),
    (
        "{coin} listed: trading pairs {coin}/USDT and {coin}/BTC",
        "We list {coin} on {date}. Deposits open one day before trading; withdrawals open the "
        "day after. Spot trading pairs: {coin}/USDT and {coin}/BTC.",
        "{coin} 上线：开放 {coin}/USDT 和 {coin}/BTC 交易对",
        "我们将于 {date} 上线 {coin}。开盘前一天开放充值，开盘次日开放提现。现货交易对："
        "{coin}/USDT、{coin}/BTC。",
    ),
    (
        "{coin} delisting notice",
        "{coin} will be delisted on {date}. Open orders are cancelled at the delisting; "
        "withdraw your {coin} within {days} days, after which the remaining balance is "
        "converted to USDT.",
        "{coin} 下架公告",
        "{coin} 将于 {date} 下架，届时未成交订单将被撤销。请在 {days} 天内提现 {coin}，"
        "逾期余额将兑换为 USDT。",
    ),
    (
        "{coin} perpetual futures: contract specifications",
        "The {coin}/USDT perpetual contract settles in USDT with up to {n}x leverage. The "
        "funding rate is exchanged every 8 hours; a position is liquidated when its margin "
        "falls below the maintenance margin.",
        "{coin} 永续合约规则",
        "{coin}/USDT 永续合约以 USDT 结算，最高 {n} 倍杠杆。资金费率每 8 小时结算一次；保证金低于"
        "维持保证金时仓位将被强制平仓。",
    ),
    (
        "{coin} margin trading: borrowing limits and interest",
        "You can borrow up to {minimum} {coin} on cross margin. Interest on borrowed {coin} is "
        "charged every hour at the daily rate shown on the borrowing page, divided by 24.",
        "{coin} 杠杆交易：借币额度与利息",
        "全仓杠杆最多可借 {minimum} {coin}。借入 {coin} 的利息按借币页面显示的日利率除以 24，"
        "每小时收取一次。",
    ),
    (
        "Staking {coin}: rewards and lock period",
        "Stake {coin} from **Earn** to receive rewards every day. Flexible staking can be "
        "redeemed at any time; locked staking for {days} days pays more.",
        "{coin} 质押：收益与锁定期",
        "在**理财**中质押 {coin} 可每日获得收益。活期质押可随时赎回；"
        "锁定 {days} 天的定期质押收益更高。",
    ),
    (
        "Buy {coin} with a bank card",
        "Choose **Buy crypto**, pick {coin} and pay with a Visa or Mastercard card. Your bank "
        "may ask you to confirm the payment; the {coin} arrives in your spot wallet within "
        "minutes.",
        "用银行卡购买 {coin}",
        "选择**买币**，选择 {coin} 并使用 Visa 或 Mastercard 银行卡付款。银行可能要求您确认付款，"
        "{coin} 将在几分钟内到达现货账户。",
    ),
    (
        "{coin} token swap and contract address",
        "The {coin} token contract on {net} is the only one we credit. During the {coin} token "
        "swap on {date} we convert balances automatically; deposits of the old token are not "
        "credited after that date.",
        "{coin} 代币兑换与合约地址",
        "我们只入账 {net} 上的 {coin} 官方合约代币。{date} {coin} 代币兑换期间，余额将自动兑换；"
        "此后旧代币充值将无法入账。",
    ),
]
CATEGORIES = [
    "deposits",
    "deposits",
    "deposits",
    "deposits",
    "announcements",
    "listings",
    "listings",
    "trading",
    "trading",
    "earn",
    "buy-crypto",
    "deposits",
]


def _tickers(count: int, rnd: random.Random) -> list[str]:
    tickers = list(TICKERS)
    seen = set(tickers)
    while len(tickers) < count:
        made = "".join(rnd.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=rnd.randint(3, 5)))
        if made not in seen:
            seen.add(made)
            tickers.append(made)
    return tickers[:count]


def generated_articles(count: int, *, seed: int = 7) -> list[dict]:
    """`count` published articles, as helpcentre.services.article_save takes them."""
    rnd = random.Random(seed)
    coins = _tickers(count // len(TEMPLATES) + 1, rnd)
    articles = []
    for k in range(count):
        coin = coins[k // len(TEMPLATES)]
        which = k % len(TEMPLATES)
        title_en, body_en, title_zh, body_zh = TEMPLATES[which]
        net, other = rnd.sample(NETWORKS, 2)
        values = {
            "coin": coin,
            "net": net,
            "other": other,
            "n": rnd.choice([6, 12, 20, 30, 64, 100]),
            "fee": rnd.choice(["0.0005", "0.01", "1", "5", "20"]),
            "minimum": rnd.choice(["0.001", "0.1", "10", "50", "1000"]),
            "date": f"2026-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "days": rnd.choice([7, 14, 30, 60, 90]),
        }
        articles.append(
            {
                "slug": f"gen-{k:05d}-{coin.lower()}",
                "kind": "article",
                "category": CATEGORIES[which],
                "state": "published",
                "title_en": title_en.format(**values),
                "body_en": body_en.format(**values),
                "title_zh_hans": title_zh.format(**values),
                "body_zh_hans": body_zh.format(**values),
            }
        )
    return articles
