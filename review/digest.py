"""The e-mail digest: each user with an address gets the watchlist matches since the last digest."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from duluan.annotations import AnnotationStore
from duluan.annotations.watch import Alert, alerts, mark_shown
from duluan.classifiers.taxonomy import TONES
from duluan.core.record import VN_TZ
from duluan.core.settings import Settings
from duluan.index import Store
from duluan.review.accounts import Accounts


@dataclass
class DigestReport:
    sent: int = 0
    skipped: int = 0  # users without an address or without news


def _body(alerts_: list[Alert], settings: Settings) -> str:
    lines = ["Dư Luận: bài viết mới khớp danh sách theo dõi của bạn.", ""]
    for al in alerts_:
        lines.append(f"{al.watchlist.name}: {al.total} bài mới")
        for hit in al.hits:
            a = hit.article
            when = a.published_at.astimezone(VN_TZ).strftime("%H:%M %d/%m/%Y") if a.published_at else ""
            tone = TONES.get(a.tone or "", "")
            lines.append(f"  - {a.title} ({a.source}, {when}{', ' + tone if tone else ''})")
            lines.append(f"    {settings.public_url.rstrip('/')}/article/{a.id}")
        lines.append("")
    return "\n".join(lines)


def send_digests(settings: Settings, store: Store, accounts: Accounts, db: AnnotationStore) -> DigestReport:
    if not settings.smtp_host:
        raise SystemExit("DULUAN_SMTP_HOST is not set: no mail server to send the digest through")
    report = DigestReport()
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        for user in accounts.users():
            # The digest keeps its own "last sent" marks, apart from what the user saw in the app.
            key = f"digest:{user.username}"
            found = [a for a in alerts(store, db, key, settings.alert_window_days, size=10) if a.total]
            if not user.email or not found:
                report.skipped += 1
                continue
            msg = EmailMessage()
            msg["Subject"] = f"[Dư Luận] {sum(a.total for a in found)} bài mới theo danh sách theo dõi"
            msg["From"], msg["To"] = settings.smtp_from, user.email
            msg.set_content(_body(found, settings))
            smtp.send_message(msg)
            mark_shown(db, key, found)
            report.sent += 1
    return report
