"""What people add to articles: flags, notes, label corrections, watchlists and the audit log.
Sits above the index and below both the review app and the briefing, which read it."""

from duluan.annotations.models import FLAGS, AuditEntry, Flag, Watchlist, WatchRule
from duluan.annotations.store import AnnotationStore

__all__ = ["FLAGS", "AnnotationStore", "AuditEntry", "Flag", "WatchRule", "Watchlist"]
