"""Signing in and out."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from duluan.review.accounts import AuthError, LoginThrottled
from duluan.review.deps import COOKIE, ReaderPost, Services, Svc, back
from duluan.review.forms import CsrfForm, LoginForm
from duluan.review.render import page

router = APIRouter()
SESSION_SECONDS = 12 * 3600
LOGIN_CSRF = "duluan_login_csrf"  # before a session there is no session token: a cookie pairs with the form


def _login_page(request: Request, svc: Services, next: str, error: str | None = None,
                status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = page(request, "login.html", None, status, next=next, error=error, csrf=token)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict",
                        secure=svc.settings.secure_cookies, max_age=3600, path="/login")
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, svc: Svc, next: str = "/") -> HTMLResponse:
    return _login_page(request, svc, next)


@router.post("/login")
async def login(request: Request, svc: Svc, form: Annotated[LoginForm, Form()]) -> Response:
    expected = request.cookies.get(LOGIN_CSRF)
    if not expected or not secrets.compare_digest(expected, form.csrf):
        return _login_page(request, svc, form.next, "Phiên đăng nhập đã hết hạn, vui lòng thử lại.", 403)
    address = request.client.host if request.client else "?"
    try:
        # Password hashing is CPU work: off the event loop, so other requests go on.
        session = await run_in_threadpool(svc.accounts.login, form.username, form.password, address)
    except AuthError as exc:
        status = 429 if isinstance(exc, LoginThrottled) else 401
        return _login_page(request, svc, form.next, str(exc), status)
    response = back(form.next)
    response.set_cookie(COOKIE, session.token, httponly=True, samesite="lax",
                        secure=svc.settings.secure_cookies, max_age=SESSION_SECONDS)
    response.delete_cookie(LOGIN_CSRF, path="/login")
    return response


@router.post("/logout")
def logout(svc: Svc, session: ReaderPost, form: Annotated[CsrfForm, Form()]) -> RedirectResponse:
    svc.accounts.logout(session.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
