"""The help centre's demo content (`manage.py load_demo`), also the corpus the suggestion
quality set (tests/helpcentre/questions.json) is measured on: articles and FAQ entries of
an exchange's support desk in English and Simplified Chinese, and announcements."""

# slug, kind, category, (title en, body en), (title zh, body zh)
ARTICLES = [
    (
        "withdrawal-not-arrived",
        "article",
        "deposits",
        (
            "My withdrawal has not arrived",
            "A withdrawal is sent once it shows **Completed** in your withdrawal history. How long it takes to arrive depends on the blockchain: Bitcoin needs several network confirmations, and a busy network can delay it for hours.\n\n1. Copy the TxID from the withdrawal history.\n2. Look it up on a block explorer.\n3. If the transfer is confirmed, contact the receiving platform or wallet.",
        ),
        (
            "提现未到账怎么办",
            "提现记录显示**已完成**即表示已发出。到账时间取决于区块链网络：比特币需要多个区块确认，网络拥堵时可能延迟数小时。\n\n1. 在提现记录中复制交易哈希（TxID）。\n2. 在区块浏览器中查询。\n3. 如果已确认，请联系接收平台或钱包。",
        ),
    ),
    (
        "deposit-not-credited",
        "article",
        "deposits",
        (
            "My deposit has not been credited",
            "A deposit is credited after the required number of network confirmations. Check that you sent the coin on the network shown on the deposit page, that the address is right, and whether a memo or tag was required. Deposits of tokens we do not support cannot be credited automatically.",
        ),
        (
            "充值未到账",
            "充值在达到所需的区块确认数后入账。请检查您是否使用充值页面显示的网络转账、地址是否正确，以及是否需要填写备注（Memo）或标签（Tag）。不支持的代币充值无法自动入账。",
        ),
    ),
    (
        "missing-memo-tag",
        "article",
        "deposits",
        (
            "I forgot the memo or tag of my deposit",
            "Coins such as XRP, XLM, EOS and ATOM need a memo (or tag) to find your account. If you sent a deposit without it, submit a ticket with the TxID, the amount and a screenshot of the transfer; recovery takes a few working days and may carry a fee.",
        ),
        (
            "充值忘记填写备注（Memo/Tag）",
            "XRP、XLM、EOS、ATOM 等币种充值需要填写备注（Memo）或标签（Tag）才能识别您的账户。如果充值时漏填，请提交工单并附上交易哈希、金额和转账截图；找回需要几个工作日，并可能收取手续费。",
        ),
    ),
    (
        "wrong-network",
        "article",
        "deposits",
        (
            "I sent crypto on the wrong network",
            "Sending a coin on a network we do not support for it (for example USDT on BEP20 to a TRC20 address) may lose the funds. Some cases can be recovered: submit a ticket with the TxID, the network you used and the amount. We will tell you whether recovery is possible and its cost.",
        ),
        (
            "选错网络转账",
            "使用不支持的网络转账（例如用 BEP20 网络将 USDT 转到 TRC20 地址）可能导致资产丢失。部分情况可以找回：请提交工单并提供交易哈希、所用网络和金额，我们会告知是否可以找回以及费用。",
        ),
    ),
    (
        "withdrawal-fees",
        "faq",
        "deposits",
        (
            "What are the withdrawal fees?",
            "Each coin and network has a fixed withdrawal fee that covers the blockchain fee. It is shown on the withdrawal page before you confirm. Deposits are free.",
        ),
        (
            "提现手续费是多少？",
            "每个币种和网络都有固定的提现手续费，用于支付链上矿工费。确认提现前会在提现页面显示。充值免费。",
        ),
    ),
    (
        "withdrawal-limits",
        "faq",
        "deposits",
        (
            "What is my daily withdrawal limit?",
            "Your daily withdrawal limit depends on your verification level. Complete identity verification (KYC) to raise it. The limit resets every day at 00:00 UTC.",
        ),
        (
            "每日提现限额是多少？",
            "每日提现额度取决于您的认证等级。完成身份认证（KYC）可以提高额度。额度每天 UTC 00:00 重置。",
        ),
    ),
    (
        "kyc-rejected",
        "article",
        "account",
        (
            "Why was my identity verification rejected?",
            "Identity verification (KYC) is rejected when the document photo is blurred or cut off, the document has expired, the selfie does not match the document, or the name differs from your account. Retake the photos in good light, showing all four corners, and submit again.",
        ),
        (
            "身份认证（KYC）被拒绝的原因",
            "身份认证被拒绝的常见原因：证件照片模糊或不完整、证件已过期、自拍与证件不符、姓名与账户不一致。请在光线充足的地方重新拍摄，露出证件四角后再次提交。",
        ),
    ),
    (
        "kyc-how-long",
        "faq",
        "account",
        (
            "How long does identity verification take?",
            "Most verifications are reviewed within 24 hours. During busy periods it can take up to three working days. You will get an email when the review is finished.",
        ),
        (
            "身份认证需要多久？",
            "大多数身份认证在 24 小时内审核完成，高峰期可能需要最多三个工作日。审核完成后您会收到邮件通知。",
        ),
    ),
    (
        "account-locked",
        "article",
        "security",
        (
            "My account is locked",
            "For your safety an account is locked after several wrong passwords, after a password reset (withdrawals only, for 24 hours), or when our risk team sees unusual activity. Wait for the lock to end, or submit a ticket from the email address of the account to unlock it.",
        ),
        (
            "账户被锁定",
            "为保护您的资产安全，多次输错密码、重置密码后（24 小时内禁止提现）或风控发现异常活动时，账户会被锁定。请等待锁定结束，或使用账户邮箱提交工单申请解冻。",
        ),
    ),
    (
        "reset-2fa",
        "article",
        "security",
        (
            "Lost my phone: reset Google Authenticator (2FA)",
            "If you lost the device with your authenticator app, request a 2FA reset from the login page. You will need to pass a face check and answer security questions. For your safety, withdrawals are disabled for 48 hours after the reset.",
        ),
        (
            "手机丢失：重置谷歌验证器（双重验证）",
            "如果丢失了安装验证器的手机，请在登录页面申请重置双重验证。您需要完成人脸识别并回答安全问题。为了安全，重置后 48 小时内禁止提现。",
        ),
    ),
    (
        "2fa-codes-rejected",
        "faq",
        "security",
        (
            "Why are my 2FA codes rejected?",
            "Authenticator codes depend on the time of your phone. Turn on automatic date and time on the phone, then try a fresh code. If it still fails, reset 2FA.",
        ),
        (
            "为什么双重验证码总是错误？",
            "验证器的验证码依赖手机时间。请在手机上开启自动设置日期和时间，然后使用新的验证码。如果仍然失败，请重置双重验证。",
        ),
    ),
    (
        "anti-phishing-code",
        "article",
        "security",
        (
            "Set up or change your anti-phishing code",
            "The anti-phishing code is a word you choose that we show in every email we send you. An email without it is not from us. Set or change it under Security settings, anti-phishing code.",
        ),
        (
            "设置或修改防钓鱼码",
            "防钓鱼码是您自己设置的一段文字，我们发给您的每封邮件都会显示它。没有防钓鱼码的邮件不是我们发送的。请在安全设置的防钓鱼码中设置或修改。",
        ),
    ),
    (
        "never-share-seed",
        "article",
        "security",
        (
            "We never ask for your password, seed phrase or private key",
            'Support staff will never ask for your password, your seed phrase (mnemonic) or a private key, and never ask you to move funds to a "safe" address. Anyone who asks is a scammer. If you shared them, move your funds to a new wallet at once.',
        ),
        (
            "我们绝不会索要您的密码、助记词或私钥",
            "客服绝不会向您索要密码、助记词或私钥，也不会要求您把资产转到所谓的“安全地址”。索要这些信息的都是骗子。如果您已经泄露，请立即把资产转移到新的钱包。",
        ),
    ),
    (
        "change-email-phone",
        "faq",
        "account",
        (
            "How do I change my email or phone number?",
            "Go to Account settings and choose Change email or Change phone. You will confirm the change with codes sent to the old and the new address and with 2FA. Withdrawals are paused for 24 hours after the change.",
        ),
        (
            "如何修改绑定的邮箱或手机号？",
            "进入账户设置，选择修改邮箱或修改手机号，需要通过新旧邮箱或手机的验证码以及双重验证确认。修改后 24 小时内暂停提现。",
        ),
    ),
    (
        "futures-liquidation",
        "article",
        "trading",
        (
            "Why was my futures position liquidated?",
            "A futures position is liquidated when its margin falls below the maintenance margin. Liquidation uses the mark price, not the last traded price, so it can happen even if the chart never touched your liquidation price. Lower your leverage or add margin to keep a position open.",
        ),
        (
            "合约仓位为什么被强平（爆仓）？",
            "当仓位保证金低于维持保证金时会触发强制平仓。强平使用标记价格而不是最新成交价，因此即使 K 线没有触及强平价也可能被强平。降低杠杆或追加保证金可以降低爆仓风险。",
        ),
    ),
    (
        "funding-rate",
        "faq",
        "trading",
        (
            "What is the funding rate?",
            "Perpetual futures exchange a funding payment between long and short positions every eight hours so that the contract price follows the spot price. A positive rate means longs pay shorts.",
        ),
        (
            "什么是资金费率？",
            "永续合约每八小时在多空双方之间收付一次资金费用，使合约价格贴近现货价格。资金费率为正时，多头向空头支付。",
        ),
    ),
    (
        "order-not-filled",
        "article",
        "trading",
        (
            "My spot order is not filled",
            "A limit order is filled only when the market reaches your price and there is enough volume on the other side. Check the order book; cancel the order and place a market order if you want to trade at once. Orders under the minimum amount are rejected.",
        ),
        (
            "现货委托单一直没有成交",
            "限价单只有在市场价格达到您的委托价且对手盘数量足够时才会成交。请查看盘口；如果想立即成交，可以撤单后改用市价单。低于最小下单量的委托会被拒绝。",
        ),
    ),
    (
        "margin-interest",
        "faq",
        "trading",
        (
            "How is margin interest charged?",
            "Margin interest is charged every hour on the amount you borrowed, at the hourly rate shown when you borrow. Repay the loan to stop the interest.",
        ),
        (
            "杠杆借币利息怎么计算？",
            "杠杆借币按小时计息，根据借入数量和借币时显示的小时利率收取。归还借款后停止计息。",
        ),
    ),
    (
        "api-rate-limits",
        "article",
        "api",
        (
            "API rate limits and error 429",
            "The API answers **429 Too Many Requests** when you send more than the allowed number of requests per minute. Read the `Retry-After` header, slow down, and use the WebSocket streams for market data instead of polling. Repeated violations ban the IP for a while.",
        ),
        (
            "API 频率限制与 429 错误",
            "当每分钟请求次数超过限制时，API 会返回 **429 Too Many Requests**。请读取 `Retry-After` 响应头并降低请求频率，行情数据请使用 WebSocket 推送而不是轮询。多次超限会暂时封禁 IP。",
        ),
    ),
    (
        "api-key-permissions",
        "article",
        "api",
        (
            "Create an API key and set its permissions",
            "Create API keys under API management. Give each key only the permissions it needs (read, trade, withdraw) and restrict it to your server's IP addresses. A key with withdrawal permission must have an IP whitelist. Sub-accounts have their own keys.",
        ),
        (
            "创建 API 密钥并设置权限",
            "在 API 管理中创建 API Key。每个密钥只授予需要的权限（读取、交易、提现），并绑定服务器的 IP 白名单。开通提现权限的密钥必须设置 IP 白名单。子账户有各自独立的 API Key。",
        ),
    ),
    (
        "api-signature-error",
        "faq",
        "api",
        (
            "Why do I get an invalid signature error from the API?",
            "The signature must be an HMAC-SHA256 of the exact query string and body you send, with your secret key, and the timestamp must be within 5 seconds of our server time. Sync your server clock.",
        ),
        (
            "API 返回签名错误怎么办？",
            "签名必须是用您的 Secret Key 对实际发送的参数和请求体计算的 HMAC-SHA256，且时间戳与服务器时间相差不能超过 5 秒。请同步服务器时间。",
        ),
    ),
    (
        "fiat-card-payment",
        "article",
        "other",
        (
            "Buying crypto with a bank card failed",
            "Card payments fail when the bank declines the payment, the card does not support 3-D Secure, or the name on the card differs from your verified name. Ask your bank to allow the payment, or try a bank transfer instead. A failed payment is refunded by your bank within 7 working days.",
        ),
        (
            "银行卡买币支付失败",
            "银行拒绝交易、银行卡不支持 3-D Secure 验证或持卡人姓名与实名认证姓名不一致时，银行卡支付会失败。请联系银行允许该笔交易，或改用银行转账。失败的款项会在 7 个工作日内由银行退回。",
        ),
    ),
]

# title en, body en, title zh, body zh, pinned, days from now it expires (None: never)
ANNOUNCEMENTS = [
    (
        "We never ask for your seed phrase",
        "No one from support will ever ask for your password, seed phrase or private keys.",
        "我们绝不会索要您的助记词",
        "客服绝不会向您索要密码、助记词或私钥。",
        True,
        None,
    ),
    (
        "Scheduled maintenance: wallet upgrade",
        "Deposits and withdrawals of ETH and ERC20 tokens pause for about two hours during the upgrade.",
        "系统维护：钱包升级",
        "升级期间 ETH 及 ERC20 代币的充值和提现将暂停约两小时。",
        False,
        7,
    ),
    (
        "New listing: TON spot trading",
        "TON/USDT spot trading opens this week; deposits are open now.",
        "新币上线：TON 现货交易",
        "TON/USDT 现货交易将于本周开放，现已开放充值。",
        False,
        30,
    ),
]
