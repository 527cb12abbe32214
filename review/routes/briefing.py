"""The monthly briefing, made on demand as DOCX, PDF or HTML."""

from __future__ import annotations

import secrets
import shutil
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

from duluan.briefing.figures import compute, previous_month
from duluan.briefing.report import FORMATS, write
from duluan.core.record import VN_TZ
from duluan.review.deps import Reader, ReaderPost, Svc
from duluan.review.forms import BriefingForm
from duluan.review.render import page

router = APIRouter()
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@router.get("/briefing", response_class=HTMLResponse)
def briefing_page(request: Request, svc: Svc, session: Reader) -> HTMLResponse:
    last = previous_month(datetime.now(VN_TZ).date().replace(day=1))
    return page(request, "briefing.html", session, month=last, watchlists=svc.annotations.watchlists(),
                error=None)


@router.post("/briefing")
def briefing_make(svc: Svc, session: ReaderPost, form: Annotated[BriefingForm, Form()]) -> FileResponse:
    if form.format not in FORMATS:
        raise HTTPException(400, "Định dạng không hợp lệ.")
    chosen = svc.annotations.watchlist(form.watchlist) if form.watchlist else None
    try:
        b = compute(svc.store, form.month, chosen, svc.annotations)
    except ValueError:
        raise HTTPException(400, "Tháng không hợp lệ (cần dạng 2026-10).") from None
    out = svc.settings.data_dir / "briefings" / secrets.token_hex(8)
    written = write(b, svc.settings, [form.format], out)
    path = next(p for p in written if p.suffix == f".{form.format}")
    svc.annotations.audit(session.user.username, "briefing", None, "month", None,
                          {"month": form.month, "format": form.format})
    # The file is the download, not an archive: its folder goes once the response is sent.
    return FileResponse(path, filename=path.name, media_type=MEDIA[form.format],
                        background=BackgroundTask(shutil.rmtree, out, ignore_errors=True))
