"""Article extraction: the outlet's rules first, trafilatura's generic extraction as fallback."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from urllib.parse import urljoin

from parsel import Selector

from duluan.core.language import marked_share
from duluan.core.legacy import LegacyEncodingError, repair_parts
from duluan.core.normalize import normalize_text
from duluan.crawlers.dates import parse_compact, parse_iso, parse_vietnamese
from duluan.crawlers.registry import Rules, Source
from duluan.crawlers.rejects import RejectReason
from duluan.crawlers.structured import StructuredData, structured_data

MIN_BODY_CHARS = 200
_SPACES = re.compile(r"\s+")
# "Theo Hồ Hương": a byline's "by", not part of the name.
_BYLINE_PREFIX = re.compile(r"^Theo\s+")


class Rejected(Exception):
    """The page is not an article we can keep; `reason` is a short counted code."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class Extraction:
    url: str
    title: str
    sapo: str = ""
    body: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    extractor: str = "rules"

    def to_json(self) -> dict:
        out = asdict(self)
        out["published"] = self.published.isoformat() if self.published else None
        return out


# Text a reader sees: not that of scripts, styles or templates inlined in the article.
_VISIBLE_TEXT = (".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
                 " or ancestor::template)]")


def _text(nodes: list[Selector]) -> str:
    return normalize_text(" ".join(_SPACES.sub(" ", "".join(n.xpath(_VISIBLE_TEXT).getall())) for n in nodes))


def _first_text(sel: Selector, css: str | None) -> str:
    if not css:
        return ""
    nodes = sel.css(css)
    if css.endswith(")") and "::attr(" in css:
        return normalize_text(nodes.get() or "")
    return _text(nodes[:1])


def _all_texts(sel: Selector, css: str | None) -> list[str]:
    if not css:
        return []
    if "::attr(" in css:
        values = [v for raw in sel.css(css).getall() for v in raw.split(",")]
    else:
        values = [_text([n]) for n in sel.css(css)]
    seen: dict[str, None] = {}
    for v in values:
        v = normalize_text(v).strip(" ,;#")  # tag lists separate or mark items with these
        if v:
            seen.setdefault(v, None)
    return list(seen)


def published_time(sel: Selector, url: str, rules: Rules, data: StructuredData) -> datetime | None:
    """Structured data first, then the article's own visible date line, then the URL.

    The visible date comes from the rule's selector inside the article, never from the
    page's "today" banner.
    """
    if data.published:
        return data.published
    for css in (
        'meta[property="article:published_time"]::attr(content)',
        'meta[itemprop="datePublished"]::attr(content)',
        'meta[name="pubdate"]::attr(content)',
    ):
        value = sel.css(css).get()
        if value and (parsed := parse_iso(value)):
            return parsed
    if rules.date:
        text = _first_text(sel, rules.date)
        if text and (parsed := parse_vietnamese(text)):
            return parsed
    if rules.date_in_url and (m := re.search(rules.date_in_url, url)):
        return parse_compact(m.group(1))
    return None


def _canonical(sel: Selector) -> str | None:
    return sel.css('link[rel="canonical"]::attr(href)').get() or sel.css(
        'meta[property="og:url"]::attr(content)'
    ).get()


def extract_with_rules(sel: Selector, url: str, source: Source,
                       data: StructuredData | None = None) -> Extraction | None:
    """The first of the outlet's rule sets (newest template first) that finds a headline and a
    body container on the page."""
    data = data or structured_data(sel)
    for rules in source.rule_sets:
        found = _apply_rules(sel, url, rules, data)
        if found is not None:
            return found
    return None


def _apply_rules(sel: Selector, url: str, rules: Rules, data: StructuredData) -> Extraction | None:
    # Special layouts (photo stories, long reads) often put the headline in an image: the
    # page's og:title still names the article.
    title = _first_text(sel, rules.title) or normalize_text(
        sel.css('meta[property="og:title"]::attr(content)').get() or "")
    containers = sel.css(rules.body) if rules.body else []
    if not title or not containers:
        return None
    body_node = containers[0]
    captions = _all_texts(body_node, rules.captions)
    # Holding the elements keeps lxml's proxies alive, so identity comparison is sound.
    removed = {n.root for css in rules.remove for n in body_node.css(css)}
    paragraphs: list[str] = []
    for node in body_node.css(rules.paragraphs):
        if removed and (node.root in removed or any(a in removed for a in node.root.iterancestors())):
            continue
        text = _text([node])
        if text and text not in paragraphs[-1:]:
            paragraphs.append(text)
    sapo = _first_text(sel, rules.sapo)
    if rules.sapo_prefix:
        sapo = re.sub(rules.sapo_prefix, "", sapo).strip()
    # A headline or lead repeated inside the body (long-read layouts do) is not body text.
    repeats = {title.casefold(), sapo.casefold()}
    paragraphs = [p for p in paragraphs if p.casefold() not in repeats]
    return Extraction(
        url=url,
        title=title,
        sapo=sapo,
        body=paragraphs,
        captions=captions,
        authors=[_BYLINE_PREFIX.sub("", a) for a in _all_texts(sel, rules.authors)],
        published=published_time(sel, url, rules, data),
        section=_first_text(sel, rules.section) or data.section,
        tags=_all_texts(sel, rules.tags),
        canonical_url=_canonical(sel),
        extractor=f"rules:{rules.template}" if rules.template else "rules",
    )


def extract_fallback(html: str, sel: Selector, url: str, source: Source,
                     data: StructuredData | None = None) -> Extraction | None:
    import trafilatura

    data = data or structured_data(sel)
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    if not doc or not doc.text:
        return None
    paragraphs = [normalize_text(p) for p in doc.text.split("\n") if p.strip()]
    author = normalize_text(doc.author or "")
    return Extraction(
        url=url,
        title=normalize_text(doc.title or ""),
        sapo=normalize_text(doc.description or ""),
        body=paragraphs,
        # The site's own name in the author field is the publisher, not a writer.
        authors=[a.strip() for a in author.split(";")
                 if a.strip() and a.strip().casefold() != source.name.casefold()],
        published=published_time(sel, url, source.rules, data) or (parse_iso(doc.date) if doc.date else None),
        section=data.section,
        tags=[normalize_text(t) for t in (doc.tags or [])],
        canonical_url=_canonical(sel),
        extractor="fallback",
    )


def extract(html: str, url: str, source: Source) -> Extraction:
    """Extract one article page, or raise Rejected with the reason."""
    if not html.strip():
        raise Rejected(RejectReason.EMPTY_PAGE)
    sel = Selector(text=html)
    data = structured_data(sel)
    result = extract_with_rules(sel, url, source, data)
    if result is None and (links := _listing_links(sel, url, source, data)):
        raise Rejected(RejectReason.LISTING_PAGE,
                       f"it links to {links} of the outlet's articles and has no article of its own")
    if result is None or sum(map(len, result.body)) < MIN_BODY_CHARS:
        result = extract_fallback(html, sel, url, source, data) or result
    elif _rules_fall_short(sel, result):
        result = _longer_of(result, extract_fallback(html, sel, url, source, data))
    if result is None or not result.title:
        raise Rejected(RejectReason.NOT_AN_ARTICLE, "no title or article body found")
    if sum(map(len, result.body)) < MIN_BODY_CHARS:
        raise Rejected(RejectReason.EMPTY_BODY, f"{sum(map(len, result.body))} characters of body text")
    result = _unicode(result)
    # An outlet's foreign-language edition shares its domain (e.vnexpress.net, en.vietnamplus.vn).
    # The bar is low: Vietnamese pages full of foreign names still pass.
    if source.language == "vi" and marked_share(" ".join([result.title, *result.body[:20]])) < 0.05:
        raise Rejected(RejectReason.NOT_VIETNAMESE, "the text is not Vietnamese")
    return result


# The rules' body is suspect when the page's long paragraphs (navigation and teasers are short)
# hold more than twice its text: a template change that moved part of the article elsewhere.
LONG_PARAGRAPH_CHARS = 80
SHORT_SHARE = 0.5
_OUTSIDE_ARTICLE = {"nav", "header", "footer", "aside"}


def _rules_fall_short(sel: Selector, result: Extraction) -> bool:
    page = 0
    for p in sel.root.iter("p"):  # lxml directly: a selector per paragraph cost a fifth of extraction
        if any(a.tag in _OUTSIDE_ARTICLE for a in p.iterancestors()):
            continue
        n = len(" ".join(p.text_content().split()))
        page += n if n >= LONG_PARAGRAPH_CHARS else 0
    return sum(map(len, result.body)) < SHORT_SHARE * page


def _longer_of(rules: Extraction, generic: Extraction | None) -> Extraction:
    """The generic extraction instead of the rules' when it holds the rules' body and half as
    much again; the extractor then says why (fallback:rules-short)."""
    if generic is None:
        return rules
    ours, theirs = " ".join(rules.body).split(), set(" ".join(generic.body).split())
    kept = sum(w in theirs for w in ours) / max(len(ours), 1)
    if kept < 0.8 or sum(map(len, generic.body)) < 1.5 * sum(map(len, rules.body)):
        return rules  # not the same article, or not clearly more of it
    generic.title, generic.sapo = rules.title, rules.sapo or generic.sapo
    generic.authors, generic.section = rules.authors or generic.authors, rules.section or generic.section
    generic.extractor = "fallback:rules-short"
    return generic


# A page the rules cannot read that links to this many of the outlet's articles, and does not
# describe itself as an article, is a section or home page (articles link 3–9 related ones).
LISTING_LINKS = 12


def _listing_links(sel: Selector, url: str, source: Source, data: StructuredData) -> int:
    """How many distinct article addresses a listing page links to; 0 if it is not one."""
    if data.is_article or sel.css('meta[property="article:published_time"]'):
        return 0
    links = {urljoin(url, href.strip()) for href in sel.css("a::attr(href)").getall()}
    found = sum(1 for link in links if source.is_article(link))
    return found if found >= LISTING_LINKS else 0


def _unicode(result: Extraction) -> Extraction:
    """Convert text an old site still serves in TCVN3 or VNI; refuse what cannot be."""
    parts = [result.title, result.sapo, *result.body, *result.captions]
    try:
        fixed, encoding = repair_parts(parts)
    except LegacyEncodingError as exc:
        raise Rejected(RejectReason.LEGACY_ENCODING, str(exc)) from exc
    if encoding:
        n_body = len(result.body)
        result.title, result.sapo = fixed[0], fixed[1]
        result.body, result.captions = fixed[2:2 + n_body], fixed[2 + n_body:]
    return result
