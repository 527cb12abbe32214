"""The `duluan` command."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from duluan.core.settings import Settings, get_settings


def _size(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1000")
    return value


def _share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value} is not between 0 and 1")
    return value


def _settings(args: argparse.Namespace) -> Settings:
    settings = get_settings()
    if getattr(args, "data_dir", None):
        settings = settings.model_copy(update={"data_dir": Path(args.data_dir)})
    return settings


def cmd_crawl(args: argparse.Namespace) -> int:
    from duluan.crawl import run_crawl

    settings = _settings(args)
    if args.mirror:
        # A mirror named on the command line is the operator's own server, usually on loopback.
        # On loopback an answer that takes seconds is a hang, and a retry owes it no pause.
        settings = settings.model_copy(update={
            "mirror_url": args.mirror, "allow_loopback": True,
            "download_timeout": min(settings.download_timeout, 5.0),
            "retry_backoff": min(settings.retry_backoff, 0.2)})
    sources = "all" if args.all or not args.source else ",".join(args.source)
    summary = run_crawl(settings, sources, log_level="INFO" if args.verbose else "WARNING",
                        recheck_days=args.recheck_days)
    print("\n".join(summary.lines()))
    return 0 if summary.ok else 1


def cmd_process(args: argparse.Namespace) -> int:
    from duluan.pipeline import process_pending

    summary = process_pending(_settings(args), workers=args.workers)
    print("\n".join(summary.lines()))
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from duluan.index import Query, open_store
    from duluan.index.query import MARK_END, MARK_START

    query = Query(
        text=args.query, date_from=args.date_from, date_to=args.date_to,
        topics=args.topic or [], tones=args.tone or [], sources=args.source or [],
        size=args.size, sort=args.sort,
    )
    if not query.text.strip():
        print("no words given: listing the newest articles that match the filters", file=sys.stderr)
    store = open_store(_settings(args))
    try:
        result = store.search(query)
    finally:
        store.close()
    rows = [
        {
            "id": h.article.id,
            "published_at": h.article.published_at.isoformat() if h.article.published_at else None,
            "source": h.article.source,
            "title": h.article.title,
            "topic": h.article.topic,
            "tone": h.article.tone,
            "url": h.article.url,
        }
        for h in result.hits
    ]
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"])
        writer.writeheader()
        writer.writerows(rows)
    else:
        print(f"{result.total} kết quả")
        for row, hit in zip(rows, result.hits, strict=True):
            when = (row["published_at"] or "")[:16].replace("T", " ")
            print(f"{when:16}  {row['source']:10}  {row['topic'] or '-':16}  {row['title']}")
            for snippets in list(hit.highlights.values())[:1]:
                text = snippets[0].replace(MARK_START, "[").replace(MARK_END, "]")
                print(f"{'':30}{text}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from duluan.review.app import create_app

    settings = _settings(args)
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.web_workers
    print(f"Dư Luận: http://{host}:{port}/ ({workers} worker process{'es' if workers > 1 else ''})")
    if workers > 1:  # each worker builds its app from the environment (--data-dir sets it)
        uvicorn.run("duluan.review.app:app_from_environment", factory=True, workers=workers, host=host,
                    port=port, log_level="warning")
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    import getpass

    from duluan.review.accounts import Accounts

    settings = _settings(args)
    db = Accounts(settings.review_db)
    try:
        if args.action == "list":
            for u in db.users():
                print(f"{u.username}\t{u.role.value}\t{u.display_name}\t{u.email or ''}")
            return 0
        if not args.username:
            print("duluan user add needs a user name", file=sys.stderr)
            return 2
        password = (sys.stdin.readline().rstrip("\n") if args.password_stdin
                    else getpass.getpass(f"Mật khẩu cho {args.username}: "))
        try:
            db.add_user(args.username, password, args.role, args.name or "", args.email)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"added {args.username} ({args.role})")
        return 0
    finally:
        db.close()


def cmd_digest(args: argparse.Namespace) -> int:
    from duluan.annotations import AnnotationStore
    from duluan.index import open_store
    from duluan.review.accounts import Accounts
    from duluan.review.digest import send_digests

    settings = _settings(args)
    store, accounts = open_store(settings), Accounts(settings.review_db)
    annotations = AnnotationStore(settings.review_db)
    try:
        report = send_digests(settings, store, accounts, annotations)
    finally:
        store.close()
        accounts.close()
        annotations.close()
    print(f"digests sent: {report.sent}, users skipped (no address or nothing new): {report.skipped}")
    return 0


def cmd_briefing(args: argparse.Namespace) -> int:
    from duluan.briefing.report import write_briefing

    try:
        paths = write_briefing(_settings(args), args.month, [f.strip() for f in args.format.split(",")],
                               Path(args.output), None if args.all else args.watchlist)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(path)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from duluan.classifiers.train import train_tone, train_topic

    settings = _settings(args)
    output = Path(args.output) if args.output else None
    extra = None
    if args.feedback:
        from duluan.annotations import AnnotationStore

        db = AnnotationStore(settings.review_db)
        rows = db.feedback(args.task)
        db.close()
        extra = ([r["text"] for r in rows], [r["label"] for r in rows])
        print(f"adding {len(rows)} reviewer corrections to the training data", file=sys.stderr)
    if args.task == "tone":
        metrics = train_tone(settings, output=output, extra=extra)
    else:
        crawled = None
        if args.from_crawl:
            from duluan.classifiers.train import crawled_by_section

            crawled = crawled_by_section(settings)
            print(f"adding {len(crawled[1])} crawled articles labelled by their outlet's section",
                  file=sys.stderr)
        metrics = train_topic(settings, corpus=args.corpus, output=output, extra=extra, crawled=crawled,
                              min_recall=args.min_recall)
    print(json.dumps(metrics, ensure_ascii=False, indent=2))
    return _report_training(metrics)


def _report_training(metrics: dict) -> int:
    """Per-class held-out accuracy, old against new, and why a model was not shipped."""
    new, old = metrics["test"], metrics.get("previous_test")
    print("held-out accuracy per class (new" + (" | shipped)" if old else ")"), file=sys.stderr)
    for label, recall in sorted(new["per_class_recall"].items()):
        before = f" | {old['per_class_recall'].get(label, 0):.3f}" if old else ""
        print(f"  {label:<18} {recall:.3f}{before}", file=sys.stderr)
    before = f" | {old['accuracy']:.3f} / {old['macro_f1']:.3f}" if old else ""
    overall = f"{new['accuracy']:.3f} / {new['macro_f1']:.3f}"
    print(f"  {'all (acc / macro-F1)':<18} {overall}{before}", file=sys.stderr)
    release = metrics.get("release", {"passed": True})
    if not release["passed"]:
        low = ", ".join(f"{k} {v:.3f}" for k, v in release["below"].items())
        print(f"release blocked: recall below {release['min_recall']} on current news for {low}; "
              "kept the current model", file=sys.stderr)
        return 1
    if not metrics["replaced"]:
        print(f"held-out macro-F1 would drop by {-metrics['change_macro_f1']}: kept the current model",
              file=sys.stderr)
    return 0


def _read_items(path: str) -> tuple[list[tuple[str, str, str]], int]:
    """The {id, title, text} objects of a JSON-lines file; each bad line is reported on stderr
    as file:line: reason and skipped. Returns the items and how many lines were bad."""
    rows, bad = [], 0
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8")
                if not line.strip():
                    continue
                row = json.loads(line)
                if not isinstance(row, dict) or not isinstance(row.get("id"), str | int):
                    raise ValueError("not a {id, title, text} object")
                rows.append((str(row["id"]), str(row.get("title") or ""), str(row.get("text") or "")))
            except UnicodeDecodeError:
                print(f"{path}:{number}: not UTF-8 text", file=sys.stderr)
                bad += 1
            except ValueError as exc:  # JSON errors are ValueErrors too
                print(f"{path}:{number}: {str(exc)[:200]}", file=sys.stderr)
                bad += 1
    return rows, bad


def cmd_classify(args: argparse.Namespace) -> int:
    from duluan.classifiers.predict import ArticleClassifier
    from duluan.nlp.analyze import BatchAnalyzer
    from duluan.pipeline import classify_items

    settings = _settings(args)
    rows, bad = _read_items(args.path)
    classifier = ArticleClassifier.load(settings.models_dir)
    with BatchAnalyzer(workers=None if len(rows) >= 50 else 1) as analyzer:
        for start in range(0, len(rows), 500):
            chunk = rows[start:start + 500]
            labels = classify_items([(t, x) for _, t, x in chunk], classifier,
                                    settings.review_confidence, analyzer)
            for (item_id, _, _), fields in zip(chunk, labels, strict=True):
                keys = ("topic", "topic_score", "tone", "tone_score")
                out = {"id": item_id, **{k: fields[k] for k in keys}}
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    if bad:
        print(f"{bad} bad line(s) skipped; {len(rows)} labelled", file=sys.stderr)
    return 1 if bad else 0


def cmd_extract(args: argparse.Namespace) -> int:
    from duluan.crawlers.extract import Rejected, extract
    from duluan.crawlers.registry import default_registry

    source = default_registry().for_url(args.url)
    if source is None:
        print(f"no outlet in the registry owns {args.url}", file=sys.stderr)
        return 2
    html = Path(args.path).read_bytes().decode("utf-8", errors="replace")
    try:
        result = extract(html, args.url, source)
    except Rejected as exc:
        print(f"rejected: {exc}", file=sys.stderr)
        return 1
    out = result.to_json()
    keys = ["url", "title", "sapo", "body", "captions", "authors", "published", "section", "tags",
            "extractor"]
    json.dump({k: out[k] for k in keys}, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


def _refused_hint(files: list[Path]) -> str:
    """Where the articles the engine refused wait, and what to do about them."""
    return (f"refused: {len(files)} file(s) of articles the engine refused, in {files[0].parent}; "
            "fix the cause, then `duluan index replay --refused`")


def _report_missing(settings: Settings, store: Any) -> None:
    """Articles the crawl store handed to the index that it does not hold (nor its spool)."""
    from duluan.crawlers.store import CrawlStore
    from duluan.pipeline import RECONCILE_DAYS, missing_from_index

    if not settings.crawl_db.exists():
        return
    crawl = CrawlStore(settings.crawl_db)
    try:
        lost = missing_from_index(crawl, store)
    finally:
        crawl.close()
    if lost:
        print(f"missing: {len(lost)} article(s) processed in the last {RECONCILE_DAYS} days are not in "
              "the index; `duluan process` processes them again")


def cmd_index(args: argparse.Namespace) -> int:
    from duluan.index import Maintainable, open_store

    settings = _settings(args)
    store = open_store(settings)
    try:
        if args.action == "status":
            print(f"backend: {store.backend}, {store.count()} articles")
            _report_missing(settings, store)
            if isinstance(store, Maintainable):
                for name, version in sorted(store.indices().items()):
                    print(f"  {name}  mapping v{version}")
                print(f"spool: {len(store.spool_files())} file(s) waiting for replay")
                if refused := store.spool_files(refused=True):
                    print(_refused_hint(refused))
            return 0
        if not isinstance(store, Maintainable):
            print("the embedded store needs no migration or replay", file=sys.stderr)
            return 0
        if args.action == "migrate":
            report = store.migrate()
            for old, new in report.indices.items():
                print(f"{old} -> {new}")
            print(f"migrated {report.documents} documents; the alias now points at the new indices")
        else:
            report = store.replay_spool(refused=args.refused)
            print(f"replayed {report.replayed}, still spooled {report.spooled}, refused {report.refused}")
            for error in report.errors[:10]:
                print(f"error: {error}", file=sys.stderr)
            if aside := store.spool_files(refused=True):
                print(_refused_hint(aside), file=sys.stderr)
            # Not 0 while anything is still not written, so that a scheduled replay raises an alarm.
            return 0 if report.spooled == 0 and not aside else 1
    finally:
        store.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from duluan.demo import run_demo

    return run_demo(_settings(args), serve=not args.no_serve, port=args.port)


def cmd_run(args: argparse.Namespace) -> int:
    from duluan.scheduler import run_forever

    return run_forever(_settings(args), interval_minutes=args.interval, once=args.once)


def cmd_sources(args: argparse.Namespace) -> int:
    from duluan.crawlers.health import attention_first, health_json, outlet_health
    from duluan.crawlers.registry import default_registry
    from duluan.crawlers.store import CrawlStore

    settings = _settings(args)
    if not settings.crawl_db.exists():
        print(f"no crawl store at {settings.crawl_db}: run `duluan crawl` first", file=sys.stderr)
        return 2
    registry = default_registry().with_overrides(settings.source_overrides)
    store = CrawlStore(settings.crawl_db)
    try:
        health = outlet_health(store, registry)
    finally:
        store.close()
    ordered = attention_first(list(registry.sources.values()), health)
    if args.json:
        for source in ordered:
            print(json.dumps(health_json(health[source.id]) | {"active": source.active}, ensure_ascii=False))
        return 0
    print(f"{'outlet':<20} {'active':<6} {'last read (UTC)':<20} {'14 days':>7}  extractors / alerts")
    for source in ordered:
        h = health[source.id]
        read = h.last_read.strftime("%Y-%m-%d %H:%M") if h.last_read else "never"
        extractors = ", ".join(f"{k} {v}" for k, v in h.extractors.most_common()) or "-"
        print(f"{source.id:<20} {'yes' if source.active else 'no':<6} {read:<20} {sum(h.per_day):>7}  "
              f"{extractors}" + "".join(f"\n{'':<57}! {a}" for a in h.alerts))
    return 0


def _crawl_commands(sub: Any) -> None:
    """Crawling and processing: crawl, process, run, demo."""
    p = sub.add_parser("crawl", help="fetch new articles from the registry's outlets")
    p.add_argument("--source", action="append", help="outlet id (repeatable); see crawlers/sources/")
    p.add_argument("--all", action="store_true", help="every active outlet (the default)")
    p.add_argument("--mirror", help="fetch from this offline mirror URL instead of the live sites")
    p.add_argument("--recheck-days", type=int, default=0, metavar="N",
                   help="also fetch again the articles of the last N days: edits and takedowns")
    p.add_argument("-v", "--verbose", action="store_true", help="Scrapy's INFO log")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("sources", help="source health per outlet over 14 days, those needing attention first")
    p.add_argument("--json", action="store_true", help="one JSON object per outlet")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("process", help="NLP, classify and index the crawled articles not yet indexed")
    p.add_argument("--workers", type=int, default=None, help="processes for NLP (default: all cores)")
    p.set_defaults(func=cmd_process)

    p = sub.add_parser("run", help="production loop: crawl, process and index every N minutes")
    p.add_argument("--interval", type=int, default=None, help="minutes between cycles")
    p.add_argument("--once", action="store_true", help="one cycle, then exit")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("demo", help="crawl the bundled offline mirror, process, index and serve")
    p.add_argument("--no-serve", action="store_true", help="stop after indexing")
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_demo)


def _index_commands(sub: Any) -> None:
    """The index: search, index."""
    p = sub.add_parser("search", help="search the index, with or without diacritics")
    p.add_argument("query", help='words, "phrases", OR, -exclude')
    p.add_argument("--from", dest="date_from", type=date.fromisoformat, help="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date.fromisoformat, help="YYYY-MM-DD, inclusive")
    p.add_argument("--topic", action="append", help="topic slug (repeatable)")
    p.add_argument("--tone", action="append", choices=["negative", "neutral", "positive"])
    p.add_argument("--source", action="append", help="outlet id (repeatable)")
    p.add_argument("--sort", choices=["newest", "relevance"], default="relevance")
    p.add_argument("--size", type=_size, default=20, help="results to print, 0-1000")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("index", help="the search index: status, migrate to a new mapping, replay spool")
    p.add_argument("action", choices=["status", "migrate", "replay"])
    p.add_argument("--refused", action="store_true",
                   help="replay: retry the articles the engine refused too, once the cause is fixed")
    p.set_defaults(func=cmd_index)


def _review_commands(sub: Any) -> None:
    """The review app and its outputs: serve, user, digest, briefing."""
    p = sub.add_parser("serve", help="start the review web app")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--workers", type=int, help="worker processes (default: $DULUAN_WEB_WORKERS or cores)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("user", help="accounts of the review app")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("username", nargs="?")
    p.add_argument("--role", choices=["collaborator", "editor", "admin"], default="collaborator")
    p.add_argument("--name", help="display name")
    p.add_argument("--email", help="address for the alert digest")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=cmd_user)

    p = sub.add_parser("digest", help="e-mail each user the watchlist matches since the last digest")
    p.set_defaults(func=cmd_digest)

    p = sub.add_parser("briefing", help="write the monthly press briefing")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--format", default="docx,pdf,html", help="comma-separated: docx, pdf, html")
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--watchlist", help="only the articles of this watchlist (name or id)")
    scope.add_argument("--all", action="store_true", help="the whole press (the default)")
    p.add_argument("--output", default="briefings", help="output directory")
    p.set_defaults(func=cmd_briefing)


def _model_commands(sub: Any) -> None:
    """Models and single files: train, classify, extract."""
    p = sub.add_parser("train", help="train a classifier from the shared data, seeded")
    p.add_argument("task", choices=["topic", "tone"])
    p.add_argument("--corpus", default="vntc10",
                   help="VNTC-format corpus under shared/data/topic for the secondary topic score")
    p.add_argument("--output", help="model path (default: the shipped model file)")
    p.add_argument("--feedback", action="store_true",
                   help="add reviewers' corrections; keep the model if held-out macro-F1 would drop")
    p.add_argument("--from-crawl", action="store_true",
                   help="topic: add crawled articles whose outlet maps their section to a topic")
    p.add_argument("--min-recall", type=_share, default=0.75,
                   help="topic: the lowest recall on current news any class may have to ship (0-1)")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("classify", help="label {id, title, text} JSON lines with topic and tone")
    p.add_argument("path", help="JSONL file; writes one JSON line per input to stdout")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("extract", help="extract one saved article page and print it as JSON")
    p.add_argument("path", help="HTML file")
    p.add_argument("--url", required=True, help="the page's URL; chooses the outlet")
    p.set_defaults(func=cmd_extract)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="duluan",
        description="Dư Luận: theo dõi báo chí Việt Nam. Monitors the Vietnamese press: "
        "crawl outlets, process Vietnamese text, classify topic and tone, index and review.",
    )
    parser.add_argument("--data-dir", help="data directory (default: $DULUAN_DATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _crawl_commands(sub)
    _index_commands(sub)
    _review_commands(sub)
    _model_commands(sub)
    return parser


def _describe(exc: BaseException) -> str:
    """An error as one line a user can act on."""
    name = getattr(exc, "filename", None)
    match exc:
        case FileNotFoundError():
            return f"{name}: no such file or directory"
        case IsADirectoryError():
            return f"{name}: is a directory, not a file"
        case NotADirectoryError() | FileExistsError():
            return f"{name}: exists and is not a directory"
        case PermissionError():
            return f"{name}: permission denied"
        case UnicodeDecodeError():
            return "the input is not UTF-8 text"
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:500]


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.data_dir:
        if Path(args.data_dir).exists() and not Path(args.data_dir).is_dir():
            print(f"error: --data-dir {args.data_dir}: exists and is not a directory", file=sys.stderr)
            return 2
        os.environ["DULUAN_DATA_DIR"] = args.data_dir  # for subprocesses of `run`
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # one clear line, never a traceback; DULUAN_DEBUG=1 shows it
        if os.environ.get("DULUAN_DEBUG"):
            raise
        print(f"error: {_describe(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
