"""Oversight: outlets (editors switch them on and off), the audit log, and accounts (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from duluan.crawlers.health import attention_first
from duluan.crawlers.registry import default_registry, save_override
from duluan.review.deps import Admin, AdminPost, Editor, EditorPost, Svc
from duluan.review.forms import SourceForm, UserForm
from duluan.review.render import page

router = APIRouter()


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, svc: Svc, session: Editor) -> HTMLResponse:
    registry = default_registry().with_overrides(svc.settings.source_overrides)
    health = svc.health()
    return page(request, "sources.html", session, counts=dict(svc.outlets()), health=health,
                sources=attention_first(list(registry.sources.values()), health))


@router.post("/sources/{source_id}")
def source_update(svc: Svc, session: EditorPost, source_id: str,
                  form: Annotated[SourceForm, Form()]) -> RedirectResponse:
    registry = default_registry().with_overrides(svc.settings.source_overrides)
    if source_id not in registry.sources:
        raise HTTPException(404, "Không có cơ quan báo chí này.")
    before, active = registry[source_id].active, form.active == "1"
    save_override(svc.settings.source_overrides, source_id, active=active)
    svc.annotations.audit(session.user.username, "source-active", None, source_id, before, active)
    return RedirectResponse("/sources", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, svc: Svc, session: Editor) -> HTMLResponse:
    return page(request, "audit.html", session, log=svc.annotations.audit_log(limit=300))


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, svc: Svc, session: Admin) -> HTMLResponse:
    return page(request, "users.html", session, users=svc.accounts.users(), error=None)


@router.post("/users")
def user_add(request: Request, svc: Svc, session: AdminPost, form: Annotated[UserForm, Form()]) -> Response:
    try:
        user = svc.accounts.add_user(form.username.strip(), form.password, form.role, form.display_name,
                                     form.email or None)
    except ValueError as exc:
        return page(request, "users.html", session, 400, users=svc.accounts.users(), error=str(exc))
    svc.annotations.audit(session.user.username, "user-add", None, "user", None,
                          {"username": user.username, "role": user.role.value})
    return RedirectResponse("/users", status_code=303)
