"""The feed of articles to triage, and actions on a selection of them."""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from duluan.annotations import WatchRule
from duluan.review.actions import ActionError
from duluan.review.deps import Reader, ReaderPost, Svc, back
from duluan.review.feed import PAGE_SIZE, BadFilter, FeedFilters, feed_query, story_rows
from duluan.review.forms import BulkForm
from duluan.review.render import page

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def feed(request: Request, svc: Svc, session: Reader, f: Annotated[FeedFilters, Depends()],
         after: str = "") -> HTMLResponse:
    watchlists = svc.annotations.watchlists()
    chosen = svc.annotations.watchlist(f.watchlist) if f.watchlist else None
    try:
        query = feed_query(f, chosen.rule if chosen else WatchRule(), after)
    except BadFilter as exc:
        raise HTTPException(400, str(exc)) from None
    result = svc.store.search(query)
    params = {k: v for k, v in request.query_params.items() if k != "after"}
    more = (f"/?{urlencode({**params, 'after': json.dumps(result.next_after)})}"
            if result.next_after and len(result.hits) == PAGE_SIZE else None)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return page(request, "feed.html", session, result=result, rows=story_rows(svc.store, result, watchlists),
                more=more, here=here, users=svc.accounts.users(), watchlists=watchlists,
                outlets=svc.outlets(), f=f.as_dict())


@router.post("/bulk")
def bulk(svc: Svc, session: ReaderPost, form: Annotated[BulkForm, Form()]) -> RedirectResponse:
    if not form.ids:
        return back(form.next)
    reviewer, user, action = svc.reviewer, session.user, form.action
    try:
        if action in ("reviewed", "new"):
            reviewer.mark_reviewed(user, form.ids, reviewed=action == "reviewed")
        elif action.startswith("flag:"):
            reviewer.flag(user, form.ids, action.removeprefix("flag:") or None)
        elif action.startswith("assign:"):
            reviewer.assign(user, form.ids, action.removeprefix("assign:") or None)
        else:
            raise ActionError("Thao tác không hợp lệ.")
    except ActionError as exc:
        raise HTTPException(400, str(exc)) from None
    return back(form.next)
