"""One article: its text with watchlist and search highlights, its story, notes and history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from duluan.annotations.watch import keyword_spans, matching
from duluan.index import Query
from duluan.index.highlight import spans
from duluan.index.query import QueryTooLong, parse_text
from duluan.review.actions import ActionError
from duluan.review.deps import Reader, ReaderPost, Svc, back
from duluan.review.forms import ArticleAction, ArticleForm
from duluan.review.render import clean, highlighted, page, plain

router = APIRouter()
ACTIONS = {a.value for a in ArticleAction}


@router.get("/article/{article_id}", response_class=HTMLResponse)
def article(request: Request, svc: Svc, session: Reader, article_id: str, q: str = "") -> HTMLResponse:
    a = svc.store.get(article_id)
    if a is None:
        raise HTTPException(404, "Không tìm thấy bài viết.")
    watch = matching([a], svc.annotations.watchlists()).get(a.id, [])
    try:
        parsed = parse_text(q) if q else None
    except QueryTooLong:
        raise HTTPException(400, "Từ khóa tìm kiếm quá dài.") from None

    def hl(text: str) -> Markup:
        text = plain(text)
        return highlighted(text, keyword_spans(text, watch) + (spans(text, parsed) if parsed else []))

    cluster = []
    if a.cluster_id:
        found = svc.store.search(Query(cluster_id=a.cluster_id, size=100, highlight=False))
        cluster = [h.article for h in found.hits if h.article.id != a.id]
    duplicates = [m for m in cluster if m.duplicate_of == a.id or m.id == a.duplicate_of]
    return page(request, "article.html", session, a=a, title=hl(a.title), sapo=hl(a.sapo),
                paragraphs=[hl(p) for p in a.body.split("\n\n") if p.strip()],
                captions=[clean(c) for c in a.captions], watch=watch, cluster=cluster,
                duplicates=duplicates, notes=svc.annotations.notes([a.id]).get(a.id, []),
                log=svc.annotations.audit_log(limit=50, article_id=a.id), users=svc.accounts.users(),
                here=request.url.path)


@router.post("/article/{article_id}/{action}")
def article_action(svc: Svc, session: ReaderPost, article_id: str, action: str,
                   form: Annotated[ArticleForm, Form()]) -> RedirectResponse:
    if action not in ACTIONS:
        raise HTTPException(404, "Không có thao tác này.")
    reviewer, user = svc.reviewer, session.user
    try:
        match ArticleAction(action):
            case ArticleAction.REVIEW:
                reviewer.mark_reviewed(user, [article_id], form.value == "reviewed")
            case ArticleAction.FLAG:
                reviewer.flag(user, [article_id], form.flag or None)
            case ArticleAction.ASSIGN:
                reviewer.assign(user, [article_id], form.assignee or None)
            case ArticleAction.TOPIC | ArticleAction.TONE:
                reviewer.correct(user, article_id, action, form.value)
            case ArticleAction.NOTE:
                reviewer.note(user, article_id, form.text)
    except ActionError as exc:
        raise HTTPException(400, str(exc)) from None
    return back(form.next, f"/article/{article_id}")
