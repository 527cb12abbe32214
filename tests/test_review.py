"""The review app over a real store, on both backends: accounts, roles, CSRF, every action and
its audit entry, watchlists, alerts, story clusters and the e-mail digest (to a real SMTP server)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from duluan.annotations import AnnotationStore, WatchRule
from duluan.core.settings import Settings
from duluan.review.accounts import Accounts
from duluan.review.app import create_app
from tests.articles import newsroom

PASSWORD = "mat-khau-du-dai"


@pytest.fixture
def app_env(store, tmp_path) -> Iterator[tuple[Settings, object, list]]:  # noqa: ANN001
    # The newsroom is dated October 2026: alerts look back far enough to see it whatever today is.
    settings = Settings(data_dir=tmp_path, review_confidence=0.6, alert_window_days=36500)
    articles = newsroom()
    store.upsert(articles)
    store.refresh()
    db = Accounts(settings.review_db)
    db.add_user("ctv", PASSWORD, "collaborator", "Cộng tác viên A", "ctv@example.vn")
    db.add_user("bientap", PASSWORD, "editor", "Biên tập B")
    db.add_user("quantri", PASSWORD, "admin", "Quản trị C")
    db.close()
    yield settings, store, articles


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next: str = "/"):  # noqa: ANN201
    """Post the login form as a browser does: with the token the form page carried."""
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"username": username, "password": password, "next": next,
                                       "csrf": token})


def client_for(settings: Settings, store, username: str | None,  # noqa: ANN001
               address: str = "testclient") -> TestClient:
    client = TestClient(create_app(settings, store=store), follow_redirects=False, client=(address, 50000))
    if username:
        r = sign_in(client, username)
        assert r.status_code == 303, r.text
    return client


def csrf(client: TestClient, path: str = "/") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path).text)
    assert found
    return found.group(1)


def test_login_required_and_wrong_password(app_env) -> None:  # noqa: ANN001
    settings, store, _ = app_env
    anon = client_for(settings, store, None)
    r = anon.get("/?tone=negative")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    login = anon.get(r.headers["location"])
    assert "Đăng nhập" in login.text
    bad = sign_in(anon, "ctv", "sai-mat-khau")
    assert bad.status_code == 401 and "không đúng" in bad.text
    assert anon.get("/article/x").status_code == 303
    forged = anon.post("/login", data={"username": "ctv", "password": PASSWORD})  # no form token
    assert forged.status_code == 403 and "duluan_session" not in forged.headers.get("set-cookie", "")
    good = sign_in(anon, "ctv", next="//evil.example")
    assert good.headers["location"] == "/"  # no open redirect
    cookie = good.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie  # links from e-mail digests work


def test_login_brute_force_is_slowed(app_env) -> None:  # noqa: ANN001
    settings, store, _ = app_env
    anon = client_for(settings, store, None)
    for _ in range(5):
        assert sign_in(anon, "bientap", "doan-sai").status_code == 401
    # Even the right password is refused for a while now, from this address...
    locked = sign_in(anon, "bientap")
    assert locked.status_code == 429 and "quá nhiều" in locked.text
    # ...but not the owner's from another one, nor a colleague's from behind the same address.
    assert sign_in(client_for(settings, store, None, address="10.1.2.3"), "bientap").status_code == 303
    assert sign_in(anon, "ctv").status_code == 303


def test_unknown_names_answer_as_slowly_as_real_ones(app_env) -> None:  # noqa: ANN001
    """A fast "no such user" would tell a guesser which names exist: both hash a password."""
    import statistics
    import time

    settings, store, _ = app_env
    anon = client_for(settings, store, None)

    def seconds(name: str) -> float:
        started = time.perf_counter()
        assert sign_in(anon, name, "sai-mat-khau").status_code == 401
        return time.perf_counter() - started

    known = statistics.median(seconds("ctv") for _ in range(3))
    unknown = statistics.median(seconds(f"khong-co-{n}") for n in range(3))
    assert unknown > 0.5 * known, (unknown, known)  # was 9x faster before


def test_an_account_needs_a_name(app_env) -> None:  # noqa: ANN001
    settings, store, _ = app_env
    admin = client_for(settings, store, "quantri")
    for name in ("", "   ", "a b", "x" * 65):
        r = admin.post("/users", data={"csrf": csrf(admin, "/users"), "username": name,
                                       "password": "mat-khau-du-dai", "role": "collaborator"})
        assert r.status_code == 400 and "Tên đăng nhập" in r.text, name


def test_roles(app_env) -> None:  # noqa: ANN001
    settings, store, _ = app_env
    ctv = client_for(settings, store, "ctv")
    token = csrf(ctv)
    assert ctv.post("/watchlists", data={"csrf": token, "name": "x", "keywords": "y"}).status_code == 403
    assert ctv.get("/audit").status_code == 403
    assert ctv.get("/users").status_code == 403
    assert ctv.post("/users", data={"csrf": token, "username": "z", "password": PASSWORD,
                                    "role": "admin"}).status_code == 403
    editor = client_for(settings, store, "bientap")
    assert editor.get("/audit").status_code == 200
    assert editor.get("/users").status_code == 403
    admin = client_for(settings, store, "quantri")
    r = admin.post("/users", data={"csrf": csrf(admin, "/users"), "username": "moi", "password": PASSWORD,
                                   "role": "collaborator", "display_name": "Người mới"})
    assert r.status_code == 303
    assert "Người mới" in admin.get("/users").text
    assert client_for(settings, store, "moi").get("/").status_code == 200


def test_csrf_is_required(app_env) -> None:  # noqa: ANN001
    settings, store, articles = app_env
    ctv = client_for(settings, store, "ctv")
    target = articles[0].id
    assert ctv.post(f"/article/{target}/review", data={"value": "reviewed"}).status_code == 403
    forged = ctv.post(f"/article/{target}/review", data={"csrf": "forged", "value": "reviewed"})
    assert forged.status_code == 403
    assert store.get(target).review_state == "new"


def test_every_action_changes_the_store_and_is_audited(app_env) -> None:  # noqa: ANN001
    settings, store, articles = app_env
    ctv = client_for(settings, store, "ctv")
    token = csrf(ctv)
    a, b, c = articles[3].id, articles[4].id, articles[5].id

    def post(path: str, **data: str) -> None:
        r = ctv.post(path, data={"csrf": token, **data})
        assert r.status_code == 303, r.text

    post(f"/article/{a}/review", value="reviewed")
    post(f"/article/{a}/flag", flag="can-theo-doi")
    post(f"/article/{a}/assign", assignee="bientap")
    post(f"/article/{a}/tone", value="negative")
    post(f"/article/{a}/topic", value="kinh-te")  # same as predicted: audited, no change of label
    post(f"/article/{a}/note", text="Cần đối chiếu với số liệu của ngân hàng.")
    r = ctv.post("/bulk", data={"csrf": token, "action": "flag:can-xu-ly", "ids": [b, c]})
    assert r.status_code == 303
    post("/bulk", action="reviewed", ids=b)
    assert ctv.post(f"/article/{a}/tone", data={"csrf": token, "value": "rat-xau"}).status_code == 400
    assert ctv.post(f"/article/{a}/assign", data={"csrf": token, "assignee": "ai-do"}).status_code == 400

    got = store.get(a)
    assert (got.review_state, got.flag, got.assignee, got.tone, got.tone_score, got.tone_source) == (
        "reviewed", "can-theo-doi", "bientap", "negative", 1.0, "human")
    page = ctv.get(f"/article/{a}").text  # the reader sees who set the tone
    assert page.count("(người duyệt gán)") == 2  # tone, and topic: confirmed by hand too
    assert store.get(b).flag == "can-xu-ly" and store.get(b).review_state == "reviewed"
    assert store.get(c).flag == "can-xu-ly" and store.get(c).review_state == "new"

    db = AnnotationStore(settings.review_db)
    log = [(e.username, e.action, e.article_id, e.field, e.before, e.after) for e in reversed(db.audit_log())]
    assert log == [
        ("ctv", "review", a, "review_state", "new", "reviewed"),
        ("ctv", "flag", a, "flag", None, "can-theo-doi"),
        ("ctv", "assign", a, "assignee", None, "bientap"),
        ("ctv", "correct", a, "tone", "neutral", "negative"),
        ("ctv", "correct", a, "topic", "kinh-te", "kinh-te"),
        ("ctv", "note", a, "note", None, "Cần đối chiếu với số liệu của ngân hàng."),
        ("ctv", "flag", b, "flag", None, "can-xu-ly"),
        ("ctv", "flag", c, "flag", None, "can-xu-ly"),
        ("ctv", "review", b, "review_state", "new", "reviewed"),
    ]
    feedback = db.feedback("tone")
    assert [(f["id"], f["label"], f["predicted"]) for f in feedback] == [(a, "negative", "neutral")]
    assert "Giá vàng" in feedback[0]["text"]
    db.close()

    page = ctv.get(f"/article/{a}")
    assert "Cần đối chiếu với số liệu" in page.text and "Đã xử lý" in page.text
    # The feed shows what is not yet reviewed by default; "all" shows everything.
    assert articles[3].title not in ctv.get("/").text
    assert articles[3].title in ctv.get("/", params={"state": "all"}).text


def test_feed_filters_and_collapsed_stories(app_env) -> None:  # noqa: ANN001
    settings, store, articles = app_env
    ctv = client_for(settings, store, "ctv")
    feed = ctv.get("/").text
    # Three outlets carry the flood story: one row, the others folded, the first publisher named.
    assert "+ 2 báo khác cùng đưa tin · đăng đầu tiên: dantri" in feed
    assert feed.count('name="ids"') == 6
    negative = ctv.get("/", params={"tone": "negative"}).text
    assert "Bắt giữ nhóm lừa đảo" in negative and "Giá vàng" not in negative
    sport = ctv.get("/", params={"topic": "the-thao"}).text
    assert "Đội tuyển Việt Nam" in sport and "Bắt giữ" not in sport
    folded = ctv.get("/", params={"q": "lua dao"}).text
    assert "<mark>lừa</mark> <mark>đảo</mark>" in folded or "<mark>lừa đảo</mark>" in folded
    provincial = ctv.get("/", params={"tier": "provincial"}).text
    assert "Khắc phục hậu quả" in provincial and "Giá vàng" not in provincial
    entity = ctv.get("/", params={"entity": "Hà Nội"}).text
    assert "đường sắt đô thị" in entity and "Giá vàng" not in entity
    day = ctv.get("/", params={"date_from": "2026-10-15", "date_to": "2026-10-15"}).text
    assert "8 bài viết" in day or "8 bài viết" in day.replace("\n", " ")
    assert ctv.get("/", params={"date_from": "15/10/2026"}).status_code == 400
    # Low-confidence labels are marked.
    low = ctv.get("/", params={"q": "đường sắt"}).text
    assert 'class="topic low"' in low


def test_watchlist_matches_and_alerts(app_env) -> None:  # noqa: ANN001
    settings, store, articles = app_env
    editor = client_for(settings, store, "bientap")
    r = editor.post("/watchlists", data={"csrf": csrf(editor, "/watchlists"), "name": "Thái Nguyên tiêu cực",
                                         "keywords": "thai nguyen", "tones": ["negative"]})
    assert r.status_code == 303
    bad = editor.post("/watchlists", data={"csrf": csrf(editor, "/watchlists"), "name": "Rỗng"})
    assert bad.status_code == 400 and "điều kiện" in bad.text
    feed = editor.get("/", params={"state": "all"}).text
    assert feed.count('badge watch">Thái Nguyên tiêu cực') == 2  # the flood story row and the arrest
    listed = editor.get("/", params={"state": "all", "watchlist": "1"}).text
    assert "Bắt giữ nhóm lừa đảo" in listed and "Giá vàng" not in listed
    article = editor.get(f"/article/{articles[6].id}").text
    assert "<mark>Thái Nguyên</mark>" in article

    first = editor.get("/alerts").text
    assert re.search(r'alert-count">3<', first)
    # Seen now: nothing new until a new match arrives.
    assert re.search(r'alert-count">0<', editor.get("/alerts").text)
    from tests.articles import make_article

    # Published before the editor last looked, indexed after: still new to them.
    store.upsert([make_article(9, "Sạt lở đất ở Thái Nguyên", "Sạt lở đất vùi lấp nhà dân ở Thái Nguyên.",
                               source="vov", hours=30, tone="negative", tone_score=0.9)])
    store.refresh()
    again = editor.get("/alerts").text
    assert re.search(r'alert-count">1<', again) and "Sạt lở đất" in again
    ctv = client_for(settings, store, "ctv")
    assert re.search(r'alert-count">4<', ctv.get("/alerts").text)  # each user has their own "seen"


def test_crawled_markup_is_inert(app_env) -> None:  # noqa: ANN001
    settings, store, _ = app_env
    from tests.articles import make_article

    evil = make_article(20, 'Tin <script>alert(1)</script><img src=x onerror="alert(2)">',
                        'Đoạn <iframe src="https://evil.example"></iframe> <b onclick="x()">đậm</b>',
                        tone="negative", tone_score=0.9)
    store.upsert([evil])
    store.refresh()
    ctv = client_for(settings, store, "ctv")
    from lxml import html as lxml_html

    pages = [ctv.get("/").text, ctv.get(f"/article/{evil.id}").text, ctv.get("/", params={"q": "tin"}).text]
    for page in pages:
        tree = lxml_html.fromstring(page)
        assert not tree.xpath("//script | //iframe | //img | //object | //embed")
        assert not [el for el in tree.iter() if any(k.startswith("on") for k in getattr(el, "attrib", {}))]
        assert "alert(1)" not in page  # script content is dropped, not shown
    # The words around the markup survive as text.
    assert "đậm" in pages[1] and "Tin" in pages[1]


def test_email_digest_over_real_smtp(app_env, unused_port) -> None:  # noqa: ANN001
    from aiosmtpd.controller import Controller

    from duluan.index import Query
    from duluan.review.digest import send_digests

    class Inbox:
        def __init__(self) -> None:
            self.messages: list[tuple[list[str], str]] = []

        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8")))
            return "250 OK"

    settings, store, _ = app_env
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=unused_port)
    controller.start()
    try:
        settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": unused_port})
        db = AnnotationStore(settings.review_db)
        accounts = Accounts(settings.review_db)
        db.add_watchlist("Thái Nguyên", WatchRule(keywords=["Thái Nguyên"]), "bientap")
        report = send_digests(settings, store, accounts, db)
        assert (report.sent, report.skipped) == (1, 2)  # only ctv has an address
        (to, raw), = inbox.messages
        assert to == ["ctv@example.vn"]
        import email

        msg = email.message_from_string(raw)
        body = msg.get_payload(decode=True).decode("utf-8")
        expected = store.count(Query(text="Thái Nguyên"))
        assert f"Thái Nguyên: {expected} bài mới" in body and "Bắt giữ nhóm lừa đảo" in body
        assert send_digests(settings, store, accounts, db).sent == 0  # nothing new since
        db.close()
        accounts.close()
    finally:
        controller.stop()


def test_user_command_creates_accounts_that_can_log_in(tmp_path) -> None:  # noqa: ANN001
    from duluan.index.sqlite_store import EmbeddedStore
    from tests.conftest import duluan

    out = duluan("user", "add", "hoa", "--role", "editor", "--name", "Nguyễn Thị Hoa", "--password-stdin",
                 data_dir=tmp_path, stdin=PASSWORD + "\n")
    assert "added hoa (editor)" in out.stdout
    short = duluan("user", "add", "lan", "--password-stdin", data_dir=tmp_path, stdin="ngan\n", check=False)
    assert short.returncode == 2 and "8 ký tự" in short.stderr
    assert duluan("user", "add", "hoa", "--password-stdin", data_dir=tmp_path, stdin=PASSWORD + "\n",
                  check=False).returncode == 2
    assert duluan("user", "list", data_dir=tmp_path).stdout.split("\t")[:2] == ["hoa", "editor"]
    settings = Settings(data_dir=tmp_path)
    client = client_for(settings, EmbeddedStore(settings.store_db), "hoa")
    assert "Nguyễn Thị Hoa (Biên tập viên)" in client.get("/").text


def test_briefing_page_downloads_the_report(app_env) -> None:  # noqa: ANN001
    from io import BytesIO

    from docx import Document as open_docx

    settings, store, _ = app_env
    ctv = client_for(settings, store, "ctv")
    assert "Báo cáo tháng" in ctv.get("/briefing").text
    r = ctv.post("/briefing", data={"csrf": csrf(ctv, "/briefing"), "month": "2026-10", "format": "docx"})
    assert r.status_code == 200 and "bao-cao-2026-10.docx" in r.headers["content-disposition"]
    text = "\n".join(p.text for p in open_docx(BytesIO(r.content)).paragraphs)
    assert "hệ thống ghi nhận 8 bài viết của 6 cơ quan báo chí" in text
    # Downloaded, not kept: nothing piles up in the data directory.
    assert not list((settings.data_dir / "briefings").rglob("*.*"))
    bad = ctv.post("/briefing", data={"csrf": csrf(ctv, "/briefing"), "month": "10/2026", "format": "pdf"})
    assert bad.status_code == 400


def test_watch_rules_match_on_the_page_as_in_the_store(app_env) -> None:  # noqa: ANN001
    """Feed badges check rules on the articles at hand; the watchlist filter and alerts query the
    store. Both must pick the same articles."""
    from duluan.annotations.watch import CompiledRule, rule_query

    _, store, articles = app_env
    rules = [WatchRule(keywords=["thai nguyen"]), WatchRule(keywords=["Thái Nguyên"], tones=["negative"]),
             WatchRule(keywords=["lũ quét", "lua dao"]), WatchRule(entity="Hà Nội"),
             WatchRule(sources=["tuoitre"], tones=["positive"]), WatchRule(keywords=["đường sắt đô thị"]),
             WatchRule(keywords=["nguyen thai"])]
    for rule in rules:
        in_store = {h.article.id for h in store.search(rule_query(rule, size=100)).hits}
        on_page = {a.id for a in articles if CompiledRule.of(rule).matches(a)}
        assert in_store == on_page, rule
        assert in_store or rule.keywords == ["nguyen thai"]


def test_editors_turn_outlets_on_and_off(app_env) -> None:  # noqa: ANN001
    from scrapy.utils.test import get_crawler

    from duluan.crawlers.registry import default_registry
    from duluan.crawlers.spiders.news import NewsSpider

    settings, store, _ = app_env
    ctv = client_for(settings, store, "ctv")
    assert ctv.get("/sources").status_code == 403
    assert ctv.post("/sources/dantri", data={"csrf": csrf(ctv), "active": "0"}).status_code == 403
    editor = client_for(settings, store, "bientap")
    page = editor.get("/sources").text
    assert "Dân trí" in page and 'data-source="vnexpress"' in page
    r = editor.post("/sources/dantri", data={"csrf": csrf(editor, "/sources"), "active": "0"})
    assert r.status_code == 303
    assert 'data-source="dantri"' in editor.get("/sources").text and "Đã tắt" in editor.get("/sources").text
    registry = default_registry().with_overrides(settings.source_overrides)
    assert not registry["dantri"].active and registry["vnexpress"].active
    # The crawler reads the same overrides: a crawl of every outlet now leaves Dân trí out.
    crawler = get_crawler(NewsSpider, {"DULUAN_SOURCE_OVERRIDES": str(settings.source_overrides)})
    spider = NewsSpider.from_crawler(crawler)
    assert "dantri" not in {s.id for s in spider.sources} and "vnexpress" in {s.id for s in spider.sources}
    db = AnnotationStore(settings.review_db)
    entry = db.audit_log()[0]
    assert (entry.username, entry.action, entry.field, entry.before, entry.after) == (
        "bientap", "source-active", "dantri", True, False)
    db.close()
    missing = editor.post("/sources/khong-co", data={"csrf": csrf(editor, "/sources"), "active": "1"})
    assert missing.status_code == 404


def test_the_sources_page_shows_each_outlets_health(app_env, crawled: Settings) -> None:  # noqa: ANN001
    import shutil

    settings, store, _ = app_env
    editor = client_for(settings, store, "bientap")
    assert editor.get("/sources").text.count("chưa thu thập") >= 25  # no crawl in this data directory yet
    shutil.copy(crawled.crawl_db, settings.crawl_db)  # the state a real crawl of the mirror left
    page = client_for(settings, store, "bientap").get("/sources").text
    dantri = page[page.index('data-source="dantri"'):].split("</tr>")[0]
    assert "rules:2022 5" in dantri and 'class="per-day" title="0, 0, 0' in dantri
    assert '<div class="alert">' not in dantri  # read and publishing today: nothing to flag
    nhandan = page[page.index('data-source="nhandan"'):].split("</tr>")[0]
    assert "Không có bài mới trong 14 ngày" in nhandan and "chưa lần nào" in nhandan
    tuoitre = page[page.index('data-source="tuoitre"'):].split("</tr>")[0]
    rejects = tuoitre.split('class="rejects">')[1].split("</td>")[0]
    assert rejects.count(" · ") == 2 and rejects.count(" 1") == 3  # the three most frequent of ten reasons
    # Outlets needing attention come first, and head the editors' alerts, not collaborators'.
    assert page.index('data-source="nhandan"') < page.index('data-source="dantri"')
    alerts = client_for(settings, store, "bientap").get("/alerts").text
    assert "Nguồn tin cần chú ý" in alerts and 'data-source="nhandan"' in alerts
    assert 'data-source="dantri"' not in alerts
    assert "Nguồn tin cần chú ý" not in client_for(settings, store, "ctv").get("/alerts").text
