"""Text of the help centre, pure functions: Markdown to sanitised HTML, and the words that
search indexes and looks for, in English and Chinese.

Chinese has no spaces between words: `words()` cuts runs of Chinese characters into words
with jieba (its search mode, which also yields the shorter words inside longer ones), and
keeps Latin words, numbers and codes (USDT, 2FA, TRC20) whole. Both sides of a search go
through it, so "提现没到账" finds an article that says "提现到账".
"""

import logging
import re
from functools import cache

import nh3
from markdown_it import MarkdownIt

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
WORD = re.compile(r"[\w]+", re.UNICODE)
# Support words jieba's dictionary does not know, so that they stay one word.
DOMAIN_WORDS = (
    "到账 提币 充币 提现 充值 助记词 私钥 防钓鱼码 谷歌验证器 验证器 双重验证 实名认证 "
    "身份认证 合约 爆仓 强平 强制平仓 杠杆 现货 期货 资金费率 手续费 白名单 冻结 解冻 "
    "子账户 主网 链上 哈希 交易哈希 地址簿 标签 备注 限价单 市价单 挂单 撤单 划转 "
    "风控 申诉 人脸识别 自拍 上币 维护 公告 钓鱼 客服 工单 法币 场外 理财 质押"
).split()
# Words too common to tell one question from another (English ones are PostgreSQL's
# `english` configuration's stop words; these are Chinese function words).
CHINESE_STOP_WORDS = frozenset(
    "的 了 吗 呢 吧 啊 我 我的 你 您 是 在 有 和 与 及 或 也 都 就 还 要 会 能 可以 怎么 "
    "怎么办 怎样 如何 什么 为什么 为何 一个 这个 那个 没有 没 不 请问 请 一下 已经 "
    "还是 但是 然后 因为 所以 需要 自己 时候 现在 问题".split()
)


@cache
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for word in DOMAIN_WORDS:
        jieba.add_word(word)
    return jieba


def has_chinese(text: str) -> bool:
    return bool(CJK.search(text))


def words(text: str) -> list[str]:
    """The words of `text` as search sees them: lower-case; Chinese cut by jieba (with the
    shorter words inside longer ones); Chinese function words left out."""
    found: list[str] = []
    for run in re.split(r"(\s+)", text or ""):
        if not run.strip():
            continue
        if has_chinese(run):
            pieces = _jieba().cut_for_search(run)
        else:
            pieces = [run]
        for piece in pieces:
            for word in WORD.findall(piece.lower()):
                if word not in CHINESE_STOP_WORDS:
                    found.append(word)
    return found


def document(*texts: str) -> str:
    """The texts as one space-separated string of words (what the index is built from)."""
    return " ".join(word for text in texts for word in words(text))


# CommonMark with tables and strikethrough; raw HTML in the source is not passed through
# (html=False), and nh3 (Ammonia) cleans what the renderer makes anyway.
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)
ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def render_markdown(source: str) -> str:
    """Markdown to HTML that is safe to put in a page: only the tags above, links only to
    http(s) and mailto, each with rel="noopener noreferrer nofollow"."""
    html = _MARKDOWN.render(source or "")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
