"""The review web app: server-rendered pages over the query API. All user text is Vietnamese.

Every page but the login page needs a session (review.deps); every POST carries the session's
CSRF token. Routes live in review/routes, one module per area."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response

from duluan.annotations import AnnotationStore
from duluan.core.settings import Settings
from duluan.index import Store, open_store
from duluan.index.query import parse_text
from duluan.review.accounts import Accounts
from duluan.review.actions import Reviewer
from duluan.review.deps import LoginRequired, Services
from duluan.review.render import TEMPLATES, page
from duluan.review.routes import admin, article, auth, briefing, feed, watch

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}


def _services(settings: Settings, store: Store | None) -> Services:
    store = store or open_store(settings)
    accounts, annotations = Accounts(settings.review_db), AnnotationStore(settings.review_db)
    return Services(settings, store, accounts, annotations, Reviewer(store, annotations, accounts))


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(HTTPException)
    async def error_page(request: Request, exc: HTTPException) -> Response:
        return page(request, "error.html", None, exc.status_code, message=exc.detail)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return page(request, "error.html", None, 400, message="Dữ liệu gửi lên không hợp lệ.")


def app_from_environment() -> FastAPI:
    """The app of one worker process of `duluan serve --workers N`: settings from the
    environment, and the worker ends with the server that started it (even on kill -9)."""
    from duluan.core.processes import die_with_parent
    from duluan.core.settings import get_settings

    die_with_parent()
    return create_app(get_settings())


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    svc = _services(settings, store)
    TEMPLATES.env.globals["LOW"] = settings.review_confidence

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Loads the query segmenters (a few seconds) before the first search, not during it.
        parse_text("kinh tế")
        parse_text("kinh te")
        yield
        svc.close()

    app = FastAPI(title="Dư Luận", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.services = svc

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if svc.settings.secure_cookies:  # served behind TLS: browsers must not fall back to http
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "backend": svc.store.backend})

    _handle_errors(app)
    for area in (auth, feed, article, watch, briefing, admin):
        app.include_router(area.router)
    return app
