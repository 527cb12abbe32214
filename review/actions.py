"""Reviewers' actions on articles. Each changes the article in the store and writes the audit log
with the value before and after; corrections are also kept as classifier training feedback."""

from __future__ import annotations

from duluan.annotations import FLAGS, AnnotationStore
from duluan.classifiers.taxonomy import TONES, TOPICS
from duluan.core.record import LabelSource, ReviewState
from duluan.index import Store
from duluan.review.accounts import Accounts, User


class ActionError(ValueError):
    """An action that cannot be applied: unknown article, value or colleague."""


class Reviewer:
    def __init__(self, store: Store, db: AnnotationStore, accounts: Accounts) -> None:
        self.store, self.db, self.accounts = store, db, accounts

    def _set(self, user: User, action: str, ids: list[str], field_name: str, value: object) -> int:
        before: dict[str, object] = {}
        for article_id in ids:
            article = self.store.get(article_id)
            if article is None:
                raise ActionError(f"Không tìm thấy bài viết {article_id}.")
            old = getattr(article, field_name)
            old = old.value if hasattr(old, "value") else old
            if old != value:
                before[article_id] = old
        if not before:
            return 0
        # One partial update for the whole selection: on the engine each call costs refreshes.
        self.store.update_fields({article_id: {field_name: value} for article_id in before})
        for article_id, old in before.items():
            self.db.audit(user.username, action, article_id, field_name, old, value)
        self.store.refresh()
        return len(before)

    def mark_reviewed(self, user: User, ids: list[str], reviewed: bool = True) -> int:
        state = ReviewState.REVIEWED if reviewed else ReviewState.NEW
        return self._set(user, "review", ids, "review_state", state.value)

    def flag(self, user: User, ids: list[str], flag: str | None) -> int:
        if flag and flag not in FLAGS:
            raise ActionError(f"Không có nhãn “{flag}”.")
        return self._set(user, "flag", ids, "flag", flag or None)

    def assign(self, user: User, ids: list[str], assignee: str | None) -> int:
        if assignee and self.accounts.user(assignee) is None:
            raise ActionError(f"Không có người dùng “{assignee}”.")
        return self._set(user, "assign", ids, "assignee", assignee or None)

    def correct(self, user: User, article_id: str, field_name: str, value: str) -> bool:
        """Set the topic or tone by hand; the text and the label become training feedback."""
        labels = {"topic": TOPICS, "tone": TONES}.get(field_name)
        if labels is None or value not in labels:
            raise ActionError(f"Giá trị không hợp lệ cho {field_name}: “{value}”.")
        article = self.store.get(article_id)
        if article is None:
            raise ActionError(f"Không tìm thấy bài viết {article_id}.")
        predicted = getattr(article, field_name)
        # A hand label is certain (score 1), and marked as a person's so no rerun replaces it.
        self.store.update_fields({article_id: {field_name: value, f"{field_name}_score": 1.0,
                                               f"{field_name}_source": LabelSource.HUMAN.value}})
        self.store.refresh()
        self.db.audit(user.username, "correct", article_id, field_name, predicted, value)
        self.db.add_feedback(article_id, field_name, predicted, value, article.title, article.text,
                             user.username)
        return predicted != value

    def note(self, user: User, article_id: str, text: str) -> None:
        text = text.strip()
        if not text:
            raise ActionError("Ghi chú trống.")
        if self.store.get(article_id) is None:
            raise ActionError(f"Không tìm thấy bài viết {article_id}.")
        self.db.add_note(article_id, user.username, text)
        self.db.audit(user.username, "note", article_id, "note", None, text)
