"""Watchlists (editors keep them) and the alerts they raise for every reader."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from duluan.annotations import WatchRule
from duluan.annotations.watch import alerts, mark_shown
from duluan.classifiers.taxonomy import TONES
from duluan.crawlers.registry import default_registry
from duluan.review.accounts import RANK, Role
from duluan.review.deps import EditorPost, Reader, Svc
from duluan.review.forms import CsrfForm, WatchlistForm
from duluan.review.render import page

router = APIRouter()


@router.get("/watchlists", response_class=HTMLResponse)
def watchlists_page(request: Request, svc: Svc, session: Reader) -> HTMLResponse:
    return page(request, "watchlists.html", session, watchlists=svc.annotations.watchlists(), error=None)


@router.post("/watchlists")
def watchlist_add(request: Request, svc: Svc, session: EditorPost,
                  form: Annotated[WatchlistForm, Form()]) -> Response:
    rule = WatchRule(keywords=form.items(form.keywords), entity=form.entity.strip() or None,
                     sources=form.items(form.sources), tones=[t for t in form.tones if t in TONES])
    try:
        w = svc.annotations.add_watchlist(form.name, rule, session.user.username)
    except ValueError as exc:
        return page(request, "watchlists.html", session, 400, watchlists=svc.annotations.watchlists(),
                    error=str(exc))
    svc.annotations.audit(session.user.username, "watchlist-add", None, "watchlist", None,
                          {"name": w.name, **rule.__dict__})
    return RedirectResponse("/watchlists", status_code=303)


@router.post("/watchlists/{watchlist_id}/delete")
def watchlist_delete(svc: Svc, session: EditorPost, watchlist_id: int,
                     form: Annotated[CsrfForm, Form()]) -> RedirectResponse:
    w = svc.annotations.watchlist(watchlist_id)
    if w is None:
        raise HTTPException(404, "Không có danh sách theo dõi này.")
    svc.annotations.delete_watchlist(watchlist_id)
    svc.annotations.audit(session.user.username, "watchlist-delete", None, "watchlist",
                          {"name": w.name, **w.rule.__dict__}, None)
    return RedirectResponse("/watchlists", status_code=303)


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, svc: Svc, session: Reader) -> HTMLResponse:
    reader = session.user.username
    found = alerts(svc.store, svc.annotations, reader, svc.settings.alert_window_days)
    # What was shown now counts as seen: the next visit lists only what came after.
    mark_shown(svc.annotations, reader, found)
    # Editors keep the outlets running: the ones needing attention head their alerts.
    outlets = []
    if RANK[session.user.role] >= RANK[Role.EDITOR]:
        health = svc.health()
        registry = default_registry().with_overrides(svc.settings.source_overrides)
        outlets = [(s, health[s.id].alerts) for s in registry.sources.values()
                   if s.id in health and health[s.id].alerts]
    return page(request, "alerts.html", session, alerts=found, outlets=outlets)


