"""Signing in and out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from duluan.review.accounts import AuthError, LoginThrottled
from duluan.review.deps import COOKIE, ReaderPost, Svc, back
from duluan.review.forms import CsrfForm, LoginForm
from duluan.review.render import page

router = APIRouter()
SESSION_SECONDS = 12 * 3600


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", None, next=next, error=None)


@router.post("/login")
async def login(request: Request, svc: Svc, form: Annotated[LoginForm, Form()]) -> Response:
    address = request.client.host if request.client else "?"
    try:
        # Password hashing is CPU work: off the event loop, so other requests go on.
        session = await run_in_threadpool(svc.accounts.login, form.username, form.password, address)
    except AuthError as exc:
        status = 429 if isinstance(exc, LoginThrottled) else 401
        return page(request, "login.html", None, status, next=form.next, error=str(exc))
    response = back(form.next)
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="lax",
                        secure=svc.settings.cookie_secure, max_age=SESSION_SECONDS)
    return response


@router.post("/logout")
def logout(svc: Svc, session: ReaderPost, form: Annotated[CsrfForm, Form()]) -> RedirectResponse:
    svc.accounts.logout(session.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
