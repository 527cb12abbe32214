"""The review web app: server-rendered pages over the query API. All user text is Vietnamese."""

from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from classifiers.taxonomy import TONES, TOPICS
from duluan.record import VN_TZ
from duluan.settings import Settings
from index import Query, open_store
from index.highlight import snippet_html

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def _local(value) -> str:  # noqa: ANN001 - jinja filter
    return value.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") if value else ""


TEMPLATES.env.filters["local_time"] = _local
TEMPLATES.env.filters["marked"] = lambda s: Markup(snippet_html(s))  # escaped, then <mark>
TEMPLATES.env.globals.update(TOPICS=TOPICS, TONES=TONES)


def create_app(settings: Settings) -> FastAPI:
    store = open_store(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        yield
        store.close()

    app = FastAPI(title="Dư Luận", docs_url=None, redoc_url=None, lifespan=lifespan)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "backend": store.backend, "articles": store.count()})

    @app.get("/", response_class=HTMLResponse)
    def feed(request: Request, q: str = "", topic: str = "", tone: str = "", source: str = "",
             date_from: str = "", date_to: str = "") -> HTMLResponse:
        query = Query(
            text=q, topics=[topic] if topic else [], tones=[tone] if tone else [],
            sources=[source] if source else [],
            date_from=date.fromisoformat(date_from) if date_from else None,
            date_to=date.fromisoformat(date_to) if date_to else None,
            size=50, facets=["source", "topic", "tone"],
        )
        result = store.search(query)
        return TEMPLATES.TemplateResponse(request, "feed.html", {
            "result": result, "q": q, "topic": topic, "tone": tone, "source": source,
            "date_from": date_from, "date_to": date_to,
        })

    @app.get("/article/{article_id}", response_class=HTMLResponse)
    def article(request: Request, article_id: str) -> HTMLResponse:
        found = store.get(article_id)
        if found is None:
            raise HTTPException(status_code=404, detail="Không tìm thấy bài viết")
        return TEMPLATES.TemplateResponse(request, "article.html", {"a": found})

    return app
