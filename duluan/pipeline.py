"""The wiring of the stages: crawl store -> nlp -> classifiers -> index."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tqdm import tqdm

from duluan.classifiers.predict import ArticleClassifier, Labels
from duluan.core.normalize import normalize_text
from duluan.core.record import Article, Entity, LabelSource
from duluan.core.settings import Settings
from duluan.crawlers.store import CrawlStore
from duluan.index import Query, Store, WriteReport, open_store
from duluan.link.dedup import DuplicateIndex
from duluan.link.stories import StoryIndex
from duluan.nlp.analyze import Analysis, BatchAnalyzer


@dataclass
class ProcessSummary:
    processed: int = 0
    written: int = 0
    spooled: int = 0
    replayed: int = 0
    refused: int = 0
    needs_review: int = 0
    not_vietnamese: int = 0
    unlabelled: int = 0
    duplicates: int = 0
    topics: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    recovered: int = 0  # processed before, missing from the index: processed again

    def lines(self) -> list[str]:
        out = [f"{self.recovered} articles processed before were missing from the index: processed again"
               ] if self.recovered else []
        out += [
            f"processed {self.processed} articles: {self.written} written to the index, "
            f"{self.spooled} spooled for replay, {self.replayed} replayed from the spool"
            + (f", {self.refused} refused by the engine and set aside (`duluan index status`)"
               if self.refused else ""),
            f"{self.needs_review} marked for review (low confidence), "
            f"{self.not_vietnamese} not Vietnamese or too short, {self.unlabelled} without a topic, "
            f"{self.duplicates} syndicated copies",
        ]
        if self.topics:
            out.append("topics: " + ", ".join(f"{t} {n}" for t, n in self.topics.most_common()))
        out.extend(f"error: {e}" for e in self.errors[:10])
        return out


def enrich(articles: list[Article], classifier: ArticleClassifier, threshold: float,
           analyzer: BatchAnalyzer) -> list[Article]:
    """NLP and classification for a batch; returns new, validated records."""
    analyses = analyzer([(a.title, a.text) for a in articles])
    # Article.text begins with the title, as the training texts do.
    labels = classifier.classify_articles([x.title_segmented for x in analyses],
                                          [x.text_segmented for x in analyses])
    out = []
    for article, nlp, label in zip(articles, analyses, labels, strict=True):
        update: dict = {
            "text_segmented": nlp.text_segmented,
            "title_folded": nlp.title_folded,
            "text_folded": nlp.text_folded,
            "keywords": nlp.keywords,
            "entities": [Entity(name=n, type=t) for n, t in nlp.entities],
        }
        update["language"] = nlp.language
        update |= label_fields(nlp, label, threshold)
        out.append(Article.model_validate(article.model_dump() | update))
    return out


def label_fields(nlp: Analysis, label: Labels, threshold: float) -> dict:
    """Topic and tone fields of the record; none for other languages and near-empty text."""
    fields: dict = {}
    low = False
    for task, prediction in (("topic", label.topic), ("tone", label.tone)):
        if prediction is None or nlp.language != "vi":
            fields |= {task: None, f"{task}_score": None, f"{task}_scores": {}}
            continue
        fields |= {task: prediction.label, f"{task}_score": prediction.score,
                   f"{task}_scores": prediction.scores}
        low = low or prediction.score < threshold
    fields["needs_review"] = low
    return fields


def classify_items(items: list[tuple[str, str]], classifier: ArticleClassifier, threshold: float,
                   analyzer: BatchAnalyzer) -> list[dict]:
    """(title, text) pairs through the pipeline's own NLP and models, for `duluan classify`."""
    pairs = [(normalize_text(t), normalize_text("\n\n".join(p for p in (t, x) if p))) for t, x in items]
    analyses = analyzer(pairs)
    labels = classifier.classify_articles([a.title_segmented for a in analyses],
                                          [a.text_segmented for a in analyses])
    return [label_fields(a, lab, threshold) for a, lab in zip(analyses, labels, strict=True)]


def link(articles: list[Article], duplicates: DuplicateIndex, stories: StoryIndex
         ) -> tuple[list[Article], dict[str, dict]]:
    """Mark syndicated copies and put each article in a story, oldest first.

    Returns the articles, and updates for stored articles that turned out to be copies
    of one in this batch (the earliest publisher is the original).
    """
    repoint: dict[str, dict] = {}
    out: list[Article] = []
    for article in sorted(articles, key=lambda a: (a.published_at or a.fetched_at, a.id)):
        _link_one(article, duplicates, stories, repoint, out)
    in_batch = {a.id for a in out}
    out = [a.model_copy(update=repoint.pop(a.id)) if a.id in repoint else a for a in out]
    return out, {k: v for k, v in repoint.items() if k not in in_batch}


def _link_one(article: Article, duplicates: DuplicateIndex, stories: StoryIndex,
              repoint: dict[str, dict], out: list[Article]) -> None:
    when = article.published_at or article.fetched_at
    verdict = duplicates.check(article.id, when, article.text_segmented)
    for other in verdict.repointed:
        repoint[other] = {"duplicate_of": article.id}
    story = stories.assign(article.id, when, article.title, article.text_segmented,
                           [e.name for e in article.entities])
    out.append(article.model_copy(update={
        "duplicate_of": verdict.duplicate_of, "cluster_id": story.id, "cluster_title": story.title,
    }))


REVIEW_FIELDS = ("review_state", "flag", "assignee")


def keep_review(store: Store, articles: list[Article]) -> list[Article]:
    """An article indexed again (edited or taken down by its outlet) keeps what reviewers did to
    it: its review state, flag and assignee, and a topic or tone they set by hand."""
    if not articles:
        return articles
    found = store.search(Query(ids=[a.id for a in articles], size=len(articles), highlight=False))
    before = {h.article.id: h.article for h in found.hits}
    out = []
    for a in articles:
        old = before.get(a.id)
        if old is None:
            out.append(a)
            continue
        update = {name: getattr(old, name) for name in REVIEW_FIELDS}
        for label in ("topic", "tone"):
            if getattr(old, f"{label}_source") is LabelSource.HUMAN:
                update |= {name: getattr(old, name) for name in (label, f"{label}_score", f"{label}_source")}
        out.append(a.model_copy(update=update))
    return out


RECONCILE_DAYS = 3  # a power loss takes the last commits, not old ones: how far back to check


def missing_from_index(crawl: CrawlStore, store: Store, days: int = RECONCILE_DAYS) -> list[str]:
    """Articles marked processed in the last `days` that the store neither holds nor has in its
    spool: the index lost them (a power loss before its last commits reached the disk)."""
    handed = crawl.processed_since(days)
    return sorted(set(handed) - store.present(handed)) if handed else []


def _recover(crawl: CrawlStore, store: Store, summary: ProcessSummary) -> None:
    """Put back to pending what the index lost since it was handed over."""
    try:
        lost = missing_from_index(crawl, store)
    except Exception as exc:  # noqa: BLE001 - the engine unreachable: its spool keeps the writes
        lost, summary.errors = [], [f"could not compare the index with the crawl store: {exc}"]
    crawl.requeue(lost)
    summary.recovered = len(lost)


def process_pending(settings: Settings, store: Store | None = None, batch_size: int = 200,
                    progress: bool = True, workers: int | None = None,
                    reconcile: bool = True) -> ProcessSummary:
    """Process every raw article not yet indexed. Idempotent: a rerun finds nothing pending.
    `reconcile` first requeues what the index lost; a long-running loop does it on its first
    cycle only, since losses come from a crash or power loss, after which it starts again."""
    crawl = CrawlStore(settings.crawl_db)
    owns_store = store is None
    store = store or open_store(settings)
    classifier = ArticleClassifier.load(settings.models_dir)
    duplicates = DuplicateIndex(settings.stories_db)
    stories = StoryIndex(settings.stories_db)
    summary = ProcessSummary()
    if reconcile:
        _recover(crawl, store, summary)
    pending = crawl.count_pending()
    bar = tqdm(total=pending, unit="article", desc="processing", disable=not progress)
    # No worker pool for a handful of articles: starting it costs more than it saves.
    analyzer = BatchAnalyzer(workers if pending >= 50 else 1)
    try:
        for batch in crawl.pending(batch_size):
            enriched, repointed = link(
                enrich(batch, classifier, settings.review_confidence, analyzer), duplicates, stories
            )
            enriched = keep_review(store, enriched)
            report: WriteReport = store.upsert(enriched)
            store.update_fields(repointed)
            # Spooled articles are safe on disk and will be replayed: they count as handed over.
            crawl.mark_processed([a.id for a in enriched])
            summary.processed += len(enriched)
            summary.written += report.written
            summary.spooled += report.spooled
            summary.replayed += report.replayed
            summary.refused += report.refused
            summary.errors += report.errors
            summary.needs_review += sum(a.needs_review for a in enriched)
            summary.not_vietnamese += sum(a.language != "vi" for a in enriched)
            summary.duplicates += sum(a.duplicate_of is not None for a in enriched) + len(repointed)
            summary.unlabelled += sum(a.topic is None for a in enriched)
            summary.topics.update(a.topic for a in enriched if a.topic)
            bar.update(len(batch))
        store.refresh()
    finally:
        bar.close()
        analyzer.close()
        crawl.close()
        duplicates.close()
        stories.close()
        if owns_store:
            store.close()
    return summary
