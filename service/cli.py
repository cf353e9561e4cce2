"""The ``brandcheck`` command: serve the API, manage knowledge bases, evaluate the checker."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from knowledge_base.errors import DomainError
from knowledge_base.loading import KnowledgeBaseFormatError, dump_yaml, load_file
from service.settings import Settings

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app

    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    if args.seed_samples:
        settings.seed_samples = True
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level)
    return EXIT_OK


def _kb_load(settings: Settings, args: argparse.Namespace) -> int:
    from service.resources import open_resources

    documents = []
    for path in args.files:
        try:
            documents.append(load_file(Path(path), default_id=args.id))
        except KnowledgeBaseFormatError as exc:
            print(exc, file=sys.stderr)
            return EXIT_ERROR
        except OSError as exc:
            print(f"{path}: {exc.strerror}", file=sys.stderr)
            return EXIT_ERROR
    resources = open_resources(settings)
    try:
        for kb in documents:
            stored = resources.repository.save(kb.id, kb.content)
            print(
                f"{stored.id}: version {stored.version}, {len(stored.facts)} facts, "
                f"{len(stored.key_messages)} key messages"
            )
    finally:
        resources.close()
    return EXIT_OK


def _kb_list(settings: Settings, args: argparse.Namespace) -> int:
    from service.resources import open_resources

    resources = open_resources(settings)
    try:
        for kb in resources.repository.list_all():
            print(f"{kb.id}\tv{kb.version}\t{kb.lang}\t{kb.product}\t{len(kb.facts)} facts")
    finally:
        resources.close()
    return EXIT_OK


def _kb_export(settings: Settings, args: argparse.Namespace) -> int:
    from service.resources import open_resources

    resources = open_resources(settings)
    try:
        kb = resources.repository.get(args.kb_id)
    finally:
        resources.close()
    if args.format == "yaml":
        print(dump_yaml(kb), end="")
    else:
        print(json.dumps(kb.content.to_interchange(), ensure_ascii=False, indent=2))
    return EXIT_OK


def _kb_reindex(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from service.resources import open_resources

    resources = open_resources(settings, allow_model_mismatch=True)
    try:
        before = resources.repository.stored_model
        with tqdm(total=0, unit="item", desc="re-embedding") as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.n = done
                bar.refresh()

            count = resources.repository.reindex(progress)
        print(
            f"re-embedded {count} items: {before[0]} ({before[1]}-d) -> "
            f"{resources.embedder.model_id} ({resources.embedder.dimension}-d)"
        )
    finally:
        resources.close()
    return EXIT_OK


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from service.check.evaluation import run_eval
    from service.resources import load_embedder

    embedder = load_embedder(settings)
    with tqdm(unit="case", desc="checking", disable=args.quiet) as bar:

        def progress(_product: str, cases: int) -> None:
            bar.update(cases)

        count = run_eval(Path(args.set_dir), Path(args.out), embedder, settings.check, progress)
    print(f"wrote {count} predictions to {args.out}")
    return EXIT_OK


def _analyze(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from service.analysis.engine import PostOutcome, Vectors, aggregate, check_posts
    from service.analysis.parsing import detect_post_format, parse_posts
    from service.analysis.report import render_report
    from service.resources import open_resources

    path = Path(args.file)
    body = path.read_bytes()
    posts = parse_posts(body, args.format or detect_post_format(None, path.name, body))
    resources = open_resources(settings)
    try:
        kb = resources.repository.get(args.kb)
        with tqdm(total=len(posts), unit="post", desc="analysing", disable=args.quiet) as bar:

            def progress(batch: list[PostOutcome], _vectors: Vectors) -> None:
                bar.update(len(batch))

            outcomes, vectors = check_posts(resources.checker, kb.id, posts, on_batch=progress)
        result = aggregate(kb, outcomes, vectors)
    finally:
        resources.close()
    Path(args.out).write_text(result.model_dump_json(indent=2), encoding="utf-8")
    if args.html:
        Path(args.html).write_text(render_report(result), encoding="utf-8")
    top = ", ".join(f"{d.fact_id or d.kind} ({d.posts})" for d in result.distortions[:3]) or "none"
    print(f"{result.posts} posts, {result.distorted_posts} with distortions; correct first: {top}")
    print(f"wrote {args.out}" + (f" and {args.html}" if args.html else ""))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="brandcheck", description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="data directory (default: BRANDCHECK_DATA_DIR or ./data)")
    parser.add_argument("--model", help="embedding model (default: BRANDCHECK_MODEL or multilingual-use)")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API and the web form")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--seed-samples", action="store_true", help="load the sample knowledge bases on first start")
    serve.set_defaults(handler=_serve)

    kb = commands.add_parser("kb", help="manage knowledge bases in the local store").add_subparsers(
        dest="kb_command", required=True
    )
    load = kb.add_parser("load", help="load (create or replace) knowledge bases from YAML or kb.json files")
    load.add_argument("files", nargs="+")
    load.add_argument("--id", help="knowledge-base id (for a single file without one)")
    load.set_defaults(handler=_kb_load)
    listing = kb.add_parser("list", help="list knowledge bases")
    listing.set_defaults(handler=_kb_list)
    export = kb.add_parser("export", help="print a knowledge base as kb.json or YAML")
    export.add_argument("kb_id")
    export.add_argument("--format", choices=["json", "yaml"], default="json")
    export.set_defaults(handler=_kb_export)
    reindex = kb.add_parser("reindex", help="re-embed every knowledge base with the configured model")
    reindex.set_defaults(handler=_kb_reindex)

    analyze = commands.add_parser("analyze", help="analyse a corpus of posts (JSON, JSONL or CSV) on the local store")
    analyze.add_argument("file")
    analyze.add_argument("--kb", required=True, help="knowledge-base id")
    analyze.add_argument("--out", required=True, help="analysis JSON")
    analyze.add_argument("--html", help="also write a self-contained HTML report")
    analyze.add_argument("--format", choices=["json", "jsonl", "csv"], help="input format (detected when absent)")
    analyze.add_argument("--quiet", action="store_true", help="no progress bar")
    analyze.set_defaults(handler=_analyze)

    evaluate = commands.add_parser("eval", help="check labelled sets (shared/eval format) and write predictions")
    evaluate.add_argument("set_dir", help="a product folder (kb.json + cases.jsonl) or a folder of them")
    evaluate.add_argument("--out", required=True, help="predictions file (JSONL) for score.py")
    evaluate.add_argument("--quiet", action="store_true", help="no progress bar")
    evaluate.set_defaults(handler=_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``brandcheck`` console script."""
    args = build_parser().parse_args(argv)
    settings = Settings()
    if args.data_dir:
        settings.data_dir = args.data_dir
    if args.model:
        settings.model = args.model
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.handler(settings, args)
    except DomainError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return EXIT_ERROR
    return code


if __name__ == "__main__":
    sys.exit(main())
