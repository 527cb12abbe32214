"""What every route depends on: the app's services, the signed-in user and role, and CSRF.

Routes declare these with FastAPI's `Depends`; a missing session redirects to the login page,
a missing role is a 403, and every POST must carry the session's CSRF token."""

# No `from __future__ import annotations`: FastAPI must evaluate the nested dependencies'
# annotations, which close over `role`.
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from duluan.annotations import AnnotationStore
from duluan.core.settings import Settings
from duluan.index import Query, Store
from duluan.review.accounts import Accounts, Role, Session
from duluan.review.actions import Reviewer

COOKIE = "duluan_session"
OUTLETS_TTL = 300.0  # seconds the outlet counts are kept: a facet over the whole store


class LoginRequired(Exception):
    """No valid session: the app answers with a redirect to the login page."""


@dataclass
class Services:
    settings: Settings
    store: Store
    accounts: Accounts
    annotations: AnnotationStore
    reviewer: Reviewer
    _outlets: tuple[float, list[tuple[str, int]]] = field(default=(-OUTLETS_TTL, []))
    _health: tuple[float, dict] = field(default=(-OUTLETS_TTL, {}))

    def outlets(self) -> list[tuple[str, int]]:
        """The outlets in the store with their article counts, for the filter; kept for five
        minutes rather than counted on every page."""
        if time.monotonic() - self._outlets[0] > OUTLETS_TTL:
            result = self.store.search(Query(size=0, facets=["source"], facet_size=1000, highlight=False))
            self._outlets = (time.monotonic(), result.facets.get("source", []))
        return self._outlets[1]

    def health(self) -> dict:
        """Each outlet's source health (crawlers.health) from the crawl store, kept as long as
        the counts: it reads the last two weeks of the crawl."""
        from duluan.crawlers.health import outlet_health
        from duluan.crawlers.registry import default_registry
        from duluan.crawlers.store import CrawlStore

        if time.monotonic() - self._health[0] > OUTLETS_TTL and self.settings.crawl_db.exists():
            crawl = CrawlStore(self.settings.crawl_db)
            try:
                registry = default_registry().with_overrides(self.settings.source_overrides)
                self._health = (time.monotonic(), outlet_health(crawl, registry))
            finally:
                crawl.close()
        return self._health[1]

    def close(self) -> None:
        self.store.close()
        self.accounts.close()
        self.annotations.close()


def services(request: Request) -> Services:
    return request.app.state.services


Svc = Annotated[Services, Depends(services)]


def signed_in(role: Role):  # noqa: ANN201 - a FastAPI dependency
    def dependency(request: Request, svc: Svc) -> Session:
        session = svc.accounts.session(request.cookies.get(COOKIE))
        if session is None:
            raise LoginRequired
        if not session.user.can(role):
            raise HTTPException(403, "Bạn không có quyền thực hiện thao tác này.")
        return session
    return dependency


def posting(role: Role):  # noqa: ANN201 - a FastAPI dependency
    """A signed-in user with `role` whose form carries the session's CSRF token."""
    async def dependency(request: Request, session: Annotated[Session, Depends(signed_in(role))]) -> Session:
        form = await request.form()
        if form.get("csrf") != session.csrf:
            raise HTTPException(403, "Phiên làm việc không hợp lệ, vui lòng tải lại trang.")
        return session
    return dependency


Reader = Annotated[Session, Depends(signed_in(Role.COLLABORATOR))]
Editor = Annotated[Session, Depends(signed_in(Role.EDITOR))]
Admin = Annotated[Session, Depends(signed_in(Role.ADMIN))]
ReaderPost = Annotated[Session, Depends(posting(Role.COLLABORATOR))]
EditorPost = Annotated[Session, Depends(posting(Role.EDITOR))]
AdminPost = Annotated[Session, Depends(posting(Role.ADMIN))]


def back(target: str | None, default: str = "/") -> RedirectResponse:
    """303 to a local path the form named; anything else (another host) goes to `default`."""
    target = target or default
    if not target.startswith("/") or target.startswith("//"):  # no open redirect
        target = default
    return RedirectResponse(target, status_code=303)
