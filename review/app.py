"""The review web app: server-rendered pages over the query API. All user text is Vietnamese.

Every page but the login page needs a session; every POST carries the session's CSRF token.
Crawled text is untrusted: it is cleaned with nh3 and escaped before it reaches a page."""

from __future__ import annotations

import html
import json
import secrets
import time
from collections import defaultdict
from contextlib import asynccontextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import nh3
from duluan.annotations.watch import alerts, keyword_spans, mark_shown, matching
from duluan.briefing.figures import compute, previous_month
from duluan.briefing.report import FORMATS, write
from duluan.classifiers.taxonomy import TONES, TOPICS
from duluan.core.record import VN_TZ, Article, Status
from duluan.core.settings import Settings
from duluan.crawlers.registry import default_registry, save_override
from duluan.index import Query, Store, open_store
from duluan.index.highlight import snippet_html, spans
from duluan.index.query import parse_text
from duluan.review.actions import ActionError, Reviewer
from duluan.review.state import FLAGS, ROLE_NAMES, AuthError, ReviewDB, Role, Session, WatchRule
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
COOKIE = "duluan_session"
PAGE_SIZE = 50
STATUS_NAMES = {Status.LIVE: "Đang hiển thị", Status.EDITED: "Đã bị sửa", Status.GONE: "Đã bị gỡ"}
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
STATES = {"new": "Chưa xử lý", "reviewed": "Đã xử lý", "all": "Tất cả"}


def _local(value: datetime | None) -> str:
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") if value else ""


def clean(text: str | None) -> Markup:
    """Untrusted text as safe HTML: every tag dropped (script and style with their content)."""
    return Markup(nh3.clean(text or "", tags=set()))


def plain(text: str) -> str:
    """Untrusted text with any markup removed, as plain text to highlight and escape."""
    return html.unescape(nh3.clean(text, tags=set()))


def safe_url(url: str | None) -> str:
    """Only web links leave the app: a crawled javascript: or data: URL becomes a dead link."""
    return url if url and url.lower().startswith(("http://", "https://")) else "#"


def marked(snippet: str) -> Markup:
    """A snippet with highlight markers: escaped, <mark> added, then cleaned to <mark> only."""
    return Markup(nh3.clean(snippet_html(plain(snippet)), tags={"mark"}, attributes={}))


def highlighted(text: str, found: list[tuple[int, int]]) -> Markup:
    out, pos = [], 0
    for start, end in sorted(found):
        if start < pos:
            continue
        out += [str(escape(text[pos:start])), "<mark>", str(escape(text[start:end])), "</mark>"]
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup(nh3.clean("".join(out), tags={"mark"}, attributes={}))


TEMPLATES.env.filters.update(local_time=_local, marked=marked, clean=clean, safe_url=safe_url)
TEMPLATES.env.globals.update(TOPICS=TOPICS, TONES=TONES, FLAGS=FLAGS, STATUS_NAMES=STATUS_NAMES,
                             ROLE_NAMES=ROLE_NAMES, STATES=STATES, Role=Role)


class LoginRequired(Exception):
    pass


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise HTTPException(400, "Ngày không hợp lệ (cần dạng YYYY-MM-DD).") from None


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    store = store or open_store(settings)
    TEMPLATES.env.globals["LOW"] = settings.review_confidence
    db = ReviewDB(settings.review_db)
    reviewer = Reviewer(store, db)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        # Loads the query segmenters (a few seconds) before the first search, not during it.
        parse_text("kinh tế")
        parse_text("kinh te")
        yield
        store.close()
        db.close()

    app = FastAPI(title="Dư Luận", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.store, app.state.db = store, db

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(HTTPException)
    async def error_page(request: Request, exc: HTTPException) -> Response:
        return TEMPLATES.TemplateResponse(request, "error.html", {"message": exc.detail, "session": None},
                                          status_code=exc.status_code)

    def session_of(request: Request, role: Role = Role.COLLABORATOR) -> Session:
        session = db.session(request.cookies.get(COOKIE))
        if session is None:
            raise LoginRequired
        if not session.user.can(role):
            raise HTTPException(403, "Bạn không có quyền thực hiện thao tác này.")
        return session

    async def form_of(request: Request, session: Session) -> Any:
        form = await request.form()
        if form.get("csrf") != session.csrf:
            raise HTTPException(403, "Phiên làm việc không hợp lệ, vui lòng tải lại trang.")
        return form

    def page(request: Request, name: str, session: Session | None, **context: Any) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, name, {"session": session, **context})

    cached: dict[str, Any] = {"at": 0.0, "outlets": []}

    def outlets() -> list[tuple[str, int]]:
        """The outlets in the store with their article counts, for the filter; a facet over the
        whole store, so it is kept for five minutes rather than counted on every page."""
        if time.monotonic() - cached["at"] > 300:
            result = store.search(Query(size=0, facets=["source"], facet_size=1000, highlight=False))
            cached.update(at=time.monotonic(), outlets=result.facets.get("source", []))
        return cached["outlets"]

    def back(request: Request, form: Any, default: str = "/") -> RedirectResponse:
        target = str(form.get("next") or default)
        if not target.startswith("/") or target.startswith("//"):  # no open redirect
            target = default
        return RedirectResponse(target, status_code=303)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "backend": store.backend})

    # login ----------------------------------------------------------------------------------
    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/") -> HTMLResponse:
        return page(request, "login.html", None, next=next, error=None)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        username, password = str(form.get("username", "")), str(form.get("password", ""))
        address = request.client.host if request.client else "?"
        try:
            session = db.login(username, password, address)
        except AuthError as exc:
            too_many = "quá nhiều" in str(exc)
            return TEMPLATES.TemplateResponse(
                request, "login.html", {"session": None, "next": form.get("next", "/"), "error": str(exc)},
                status_code=429 if too_many else 401)
        response = back(request, form)
        response.set_cookie(COOKIE, session.token, httponly=True, samesite="lax",
                            secure=settings.cookie_secure, max_age=12 * 3600)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> RedirectResponse:
        session = session_of(request)
        await form_of(request, session)
        db.logout(session.token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # feed -----------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def feed(request: Request, q: str = "", topic: str = "", tone: str = "", source: str = "",
             tier: str = "", entity: str = "", watchlist: str = "", flag: str = "", state: str = "new",
             date_from: str = "", date_to: str = "", after: str = "") -> HTMLResponse:
        session = session_of(request)
        watchlists = db.watchlists()
        chosen = db.watchlist(watchlist) if watchlist else None
        rule = chosen.rule if chosen else WatchRule()
        # The watchlist's keywords form one OR-group ANDed with the typed words.
        text = f"{q} {rule.query_text()}".strip()
        try:
            search_after = json.loads(after) if after else None
        except ValueError:
            raise HTTPException(400, "Tham số trang không hợp lệ.") from None
        query = Query(
            text=text, topics=[topic] if topic else [],
            tones=[tone] if tone else list(rule.tones),
            sources=[source] if source else list(rule.sources), tiers=[tier] if tier else [],
            entity=rule.entity or entity or None, flags=[flag] if flag else [],
            review_states=[state] if state in ("new", "reviewed") else [],
            date_from=_date(date_from), date_to=_date(date_to), size=PAGE_SIZE,
            search_after=search_after,
        )
        result = store.search(query)
        hits = result.hits
        # Story clusters: one row per story on this page, with its other outlets folded away.
        clusters = [h.article.cluster_id for h in hits if h.article.cluster_id]
        members: dict[str, list[Article]] = defaultdict(list)
        if clusters:
            found = store.search(Query(cluster_ids=sorted(set(clusters)), size=500, highlight=False))
            for h in found.hits:
                members[h.article.cluster_id or ""].append(h.article)
        on_page = {h.article.id: h.article for h in hits} | {m.id: m for g in members.values() for m in g}
        matches = matching(list(on_page.values()), watchlists)
        rows, shown = [], set()
        for h in hits:
            cid = h.article.cluster_id
            if cid and cid in shown:
                continue
            if cid:
                shown.add(cid)
            others = sorted((m for m in members.get(cid or "", []) if m.id != h.article.id),
                            key=lambda m: m.published_at or m.fetched_at)
            everyone = sorted([h.article, *others], key=lambda m: m.published_at or m.fetched_at)
            # A story touches a watchlist when any of its articles does.
            watch = {w.id: w for m in everyone for w in matches.get(m.id, [])}
            rows.append({"hit": h, "others": others, "first": everyone[0], "watch": list(watch.values())})
        params = {k: v for k, v in dict(request.query_params).items() if k != "after"}
        more = (f"/?{urlencode({**params, 'after': json.dumps(result.next_after)})}"
                if result.next_after and len(result.hits) == PAGE_SIZE else None)
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return page(request, "feed.html", session, result=result, rows=rows, more=more, here=here,
                    users=db.users(), watchlists=watchlists, outlets=outlets(),
                    f={"q": q, "topic": topic, "tone": tone, "source": source, "tier": tier,
                       "entity": entity, "watchlist": watchlist, "flag": flag, "state": state,
                       "date_from": date_from, "date_to": date_to})

    @app.post("/bulk")
    async def bulk(request: Request) -> RedirectResponse:
        session = session_of(request)
        form = await form_of(request, session)
        ids = [str(i) for i in form.getlist("ids")]
        action = str(form.get("action", ""))
        if not ids:
            return back(request, form)
        def act() -> None:
            if action == "reviewed":
                reviewer.mark_reviewed(session.user, ids)
            elif action == "new":
                reviewer.mark_reviewed(session.user, ids, reviewed=False)
            elif action.startswith("flag:"):
                reviewer.flag(session.user, ids, action[5:] or None)
            elif action.startswith("assign:"):
                reviewer.assign(session.user, ids, action[7:] or None)
            else:
                raise ActionError("Thao tác không hợp lệ.")

        try:
            await run_in_threadpool(act)  # store writes block: keep them off the event loop
        except ActionError as exc:
            raise HTTPException(400, str(exc)) from None
        return back(request, form)

    # article --------------------------------------------------------------------------------
    @app.get("/article/{article_id}", response_class=HTMLResponse)
    def article(request: Request, article_id: str, q: str = "") -> HTMLResponse:
        session = session_of(request)
        a = store.get(article_id)
        if a is None:
            raise HTTPException(404, "Không tìm thấy bài viết.")
        watch = matching([a], db.watchlists()).get(a.id, [])
        parsed = parse_text(q) if q else None

        def hl(text: str) -> Markup:
            text = plain(text)
            found = keyword_spans(text, watch) + (spans(text, parsed) if parsed else [])
            return highlighted(text, found)

        cluster = []
        if a.cluster_id:
            cluster = [h.article for h in store.search(
                Query(cluster_id=a.cluster_id, size=100, highlight=False)).hits if h.article.id != a.id]
        duplicates = [m for m in cluster if m.duplicate_of == a.id or m.id == a.duplicate_of]
        log = db.audit_log(limit=50, article_id=a.id)
        return page(request, "article.html", session, a=a, title=hl(a.title), sapo=hl(a.sapo),
                    paragraphs=[hl(p) for p in a.body.split("\n\n") if p.strip()],
                    captions=[clean(c) for c in a.captions], watch=watch, cluster=cluster,
                    duplicates=duplicates, notes=db.notes([a.id]).get(a.id, []), log=log,
                    users=db.users(), here=request.url.path)

    @app.post("/article/{article_id}/{action}")
    async def article_action(request: Request, article_id: str, action: str) -> RedirectResponse:
        session = session_of(request)
        form = await form_of(request, session)
        user = session.user

        def act() -> None:
            if action == "review":
                reviewer.mark_reviewed(user, [article_id], form.get("value", "reviewed") == "reviewed")
            elif action == "flag":
                reviewer.flag(user, [article_id], str(form.get("flag", "")) or None)
            elif action == "assign":
                reviewer.assign(user, [article_id], str(form.get("assignee", "")) or None)
            elif action in ("topic", "tone"):
                reviewer.correct(user, article_id, action, str(form.get("value", "")))
            elif action == "note":
                reviewer.note(user, article_id, str(form.get("text", "")))
            else:
                raise HTTPException(404, "Không có thao tác này.")

        try:
            await run_in_threadpool(act)
        except ActionError as exc:
            raise HTTPException(400, str(exc)) from None
        return back(request, form, f"/article/{article_id}")

    # watchlists and alerts ------------------------------------------------------------------
    @app.get("/watchlists", response_class=HTMLResponse)
    def watchlists_page(request: Request) -> HTMLResponse:
        session = session_of(request)
        return page(request, "watchlists.html", session, watchlists=db.watchlists(), error=None)

    @app.post("/watchlists")
    async def watchlist_add(request: Request) -> Response:
        session = session_of(request, Role.EDITOR)
        form = await form_of(request, session)

        def items(name: str) -> list[str]:
            return [x.strip() for x in str(form.get(name, "")).replace(";", ",").split(",") if x.strip()]

        rule = WatchRule(keywords=items("keywords"), entity=str(form.get("entity", "")).strip() or None,
                         sources=items("sources"),
                         tones=[str(t) for t in form.getlist("tones") if t in TONES])
        try:
            w = db.add_watchlist(str(form.get("name", "")), rule, session.user.username)
        except ValueError as exc:
            return TEMPLATES.TemplateResponse(
                request, "watchlists.html",
                {"session": session, "watchlists": db.watchlists(), "error": str(exc)}, status_code=400)
        db.audit(session.user.username, "watchlist-add", None, "watchlist", None,
                 {"name": w.name, **rule.__dict__})
        return RedirectResponse("/watchlists", status_code=303)

    @app.post("/watchlists/{watchlist_id}/delete")
    async def watchlist_delete(request: Request, watchlist_id: int) -> RedirectResponse:
        session = session_of(request, Role.EDITOR)
        await form_of(request, session)
        w = db.watchlist(watchlist_id)
        if w is None:
            raise HTTPException(404, "Không có danh sách theo dõi này.")
        db.delete_watchlist(watchlist_id)
        db.audit(session.user.username, "watchlist-delete", None, "watchlist",
                 {"name": w.name, **w.rule.__dict__}, None)
        return RedirectResponse("/watchlists", status_code=303)

    @app.get("/alerts", response_class=HTMLResponse)
    def alerts_page(request: Request) -> HTMLResponse:
        session = session_of(request)
        found = alerts(store, db, session.user.username, settings.alert_window_days)
        # What was shown now counts as seen: the next visit lists only what came after.
        mark_shown(db, session.user.username, found)
        return page(request, "alerts.html", session, alerts=found)

    # monthly briefing -----------------------------------------------------------------------
    @app.get("/briefing", response_class=HTMLResponse)
    def briefing_page(request: Request) -> HTMLResponse:
        session = session_of(request)
        today = datetime.now(VN_TZ).date().replace(day=1)
        last = previous_month(today)
        return page(request, "briefing.html", session, month=last, watchlists=db.watchlists(), error=None)

    @app.post("/briefing")
    async def briefing_make(request: Request) -> Response:
        session = session_of(request)
        form = await form_of(request, session)
        month, fmt = str(form.get("month", "")), str(form.get("format", "docx"))
        if fmt not in FORMATS:
            raise HTTPException(400, "Định dạng không hợp lệ.")
        chosen = db.watchlist(str(form.get("watchlist"))) if form.get("watchlist") else None
        try:
            b = await run_in_threadpool(compute, store, month, chosen, db)
        except ValueError:
            raise HTTPException(400, "Tháng không hợp lệ (cần dạng 2026-10).") from None
        out = settings.data_dir / "briefings" / secrets.token_hex(8)
        written = await run_in_threadpool(write, b, settings, [fmt], out)
        path = next(p for p in written if p.suffix == f".{fmt}")
        db.audit(session.user.username, "briefing", None, "month", None, {"month": month, "format": fmt})
        return FileResponse(path, filename=path.name, media_type=MEDIA[fmt])

    # outlets ----------------------------------------------------------------------------------
    @app.get("/sources", response_class=HTMLResponse)
    def sources_page(request: Request) -> HTMLResponse:
        session = session_of(request, Role.EDITOR)
        registry = default_registry().with_overrides(settings.source_overrides)
        counts = dict(outlets())
        return page(request, "sources.html", session, sources=sorted(registry.sources.values(),
                    key=lambda x: (x.tier, x.name)), counts=counts)

    @app.post("/sources/{source_id}")
    async def source_update(request: Request, source_id: str) -> RedirectResponse:
        session = session_of(request, Role.EDITOR)
        form = await form_of(request, session)
        registry = default_registry().with_overrides(settings.source_overrides)
        if source_id not in registry.sources:
            raise HTTPException(404, "Không có cơ quan báo chí này.")
        before = registry[source_id].active
        active = form.get("active") == "1"
        save_override(settings.source_overrides, source_id, active=active)
        db.audit(session.user.username, "source-active", None, source_id, before, active)
        return RedirectResponse("/sources", status_code=303)

    # oversight ------------------------------------------------------------------------------
    @app.get("/audit", response_class=HTMLResponse)
    def audit_page(request: Request) -> HTMLResponse:
        session = session_of(request, Role.EDITOR)
        return page(request, "audit.html", session, log=db.audit_log(limit=300))

    @app.get("/users", response_class=HTMLResponse)
    def users_page(request: Request) -> HTMLResponse:
        session = session_of(request, Role.ADMIN)
        return page(request, "users.html", session, users=db.users(), error=None)

    @app.post("/users")
    async def user_add(request: Request) -> Response:
        session = session_of(request, Role.ADMIN)
        form = await form_of(request, session)
        try:
            user = db.add_user(str(form.get("username", "")).strip(), str(form.get("password", "")),
                               str(form.get("role", "")), str(form.get("display_name", "")),
                               str(form.get("email", "")) or None)
        except ValueError as exc:
            return TEMPLATES.TemplateResponse(request, "users.html",
                                              {"session": session, "users": db.users(), "error": str(exc)},
                                              status_code=400)
        db.audit(session.user.username, "user-add", None, "user", None,
                 {"username": user.username, "role": user.role.value})
        return RedirectResponse("/users", status_code=303)

    return app
