"""The ``brandcheck`` command: serve the API, manage knowledge bases, evaluate the checker."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from knowledge_base.errors import DomainError
from knowledge_base.loading import KnowledgeBaseFormatError, dump_yaml, load_file
from service.settings import Settings

if TYPE_CHECKING:
    from knowledge_base.models import KnowledgeBase
    from service.analysis.parsing import PostFormat
    from service.analysis.schemas import AnalysisResult
    from service.resources import Resources

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_DISTORTIONS = 3  # `check` found distortions: lets a publishing pipeline stop the post
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if settings.model == "multilingual-use" and args.workers <= 1:  # DEFAULT_MODEL, without importing torch
        from knowledge_base.preload import default_threads, start_use_preload

        start_use_preload(default_threads())  # the bundled model's default thread count
    import uvicorn

    from service.app import create_app

    if args.host:
        settings.host = args.host
    if args.port:
        settings.port = args.port
    if args.seed_samples:
        settings.seed_samples = True
    import logging.config

    from service.auth.keys import configured_keys
    from service.observability import logging_config

    log_config = logging_config(settings.log_level, settings.log_format)
    logging.config.dictConfig(log_config)
    logger = logging.getLogger("brandcheck")
    if args.workers > 1 and not settings.qdrant_url:
        print(
            "error: several workers need a Qdrant server (BRANDCHECK_QDRANT_URL): "
            "the embedded store belongs to one process",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        keys = configured_keys(settings.api_keys, settings.keys_file)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not keys and settings.host not in LOOPBACK_HOSTS:
        logger.warning(
            "no API keys configured, so listening on 127.0.0.1 instead of %s: set BRANDCHECK_KEYS_FILE "
            "(see `brandcheck keys create`) or BRANDCHECK_API_KEYS to serve other machines",
            settings.host,
        )
        settings.host = "127.0.0.1"
    if args.workers > 1:
        # Each worker process builds its app from the environment: pass the command line's overrides on.
        os.environ.update(
            BRANDCHECK_HOST=settings.host,
            BRANDCHECK_PORT=str(settings.port),
            BRANDCHECK_DATA_DIR=str(settings.data_dir),
            BRANDCHECK_MODEL=settings.model,
            BRANDCHECK_SEED_SAMPLES=str(settings.seed_samples).lower(),
        )
        if not settings.secret_key:
            logger.warning(
                "BRANDCHECK_SECRET_KEY is not set: web-form logins and CSRF tokens will not carry over between workers"
            )
    uvicorn.run(
        "service.app:create_app" if args.workers > 1 else create_app(settings),
        factory=args.workers > 1,
        workers=args.workers,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=log_config,
        access_log=False,  # one JSON line per request comes from the app, with its request id
        timeout_graceful_shutdown=30,
    )
    return EXIT_OK


def _keys_create(settings: Settings, args: argparse.Namespace) -> int:
    from service.auth.keys import KeyConfig, append_to_keys_file, generate_key, hash_key

    key = generate_key()
    entry = KeyConfig(name=args.name, role=args.role, sha256=hash_key(key), rate_per_minute=args.rate_per_minute)
    if args.file:
        try:
            append_to_keys_file(Path(args.file), entry)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"added '{args.name}' ({args.role}) to {args.file}; the key (shown only now):", file=sys.stderr)
    else:
        print("add this to BRANDCHECK_API_KEYS (a JSON list):", file=sys.stderr)
        print(json.dumps(entry.model_dump(exclude_none=True)), file=sys.stderr)
        print("the key (shown only now):", file=sys.stderr)
    print(key)
    return EXIT_OK


def _keys_hash(settings: Settings, args: argparse.Namespace) -> int:
    from service.auth.keys import hash_key

    key = sys.stdin.readline().strip()
    if not key:
        print("error: give the key on standard input", file=sys.stderr)
        return EXIT_USAGE
    print(hash_key(key))
    return EXIT_OK


class KnowledgeBaseInfo(NamedTuple):
    """What the commands print of a knowledge base."""

    id: str
    version: int
    lang: str
    product: str
    facts: int
    key_messages: int


Progress = Callable[[int, int], None]  # (done, total)


class Backend(ABC):
    """The operations of the commands that work either on the local store or, with --server, through the
    Python client on a running server. `_backend` picks one from the options, so each command has one path."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None:
        """Release the store or the connection."""

    @abstractmethod
    def check(self, kb_id: str, text: str, lang: str | None) -> Any:
        """The check result (the service's or the client's model: the same fields)."""

    @abstractmethod
    def save(self, path: Path, kb: KnowledgeBase) -> KnowledgeBaseInfo:
        """Create or replace ``kb`` (read from ``path``), atomically."""

    @abstractmethod
    def list_knowledge_bases(self) -> list[KnowledgeBaseInfo]:
        """Every knowledge base."""

    @abstractmethod
    def export(self, kb_id: str, fmt: str) -> str:
        """A knowledge base as kb.json or authoring YAML."""

    @abstractmethod
    def analyze(
        self, kb_id: str, path: Path, fmt: PostFormat | None, progress: Progress
    ) -> tuple[AnalysisResult, Callable[[], str]]:
        """The analysis of the posts in ``path``, and a function making its HTML report."""


class LocalBackend(Backend):
    """This process on the configured store, opened on first use (one process owns an embedded store), so a
    command that fails on its input does not load the model first."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._resources: Resources | None = None

    @property
    def resources(self) -> Resources:
        if self._resources is None:
            from service.resources import open_resources

            self._resources = open_resources(self._settings)
        return self._resources

    def close(self) -> None:
        if self._resources is not None:
            self._resources.close()
            self._resources = None

    def check(self, kb_id: str, text: str, lang: str | None) -> Any:
        return self.resources.checker.check(kb_id, text, lang)

    def save(self, path: Path, kb: KnowledgeBase) -> KnowledgeBaseInfo:
        return _local_info(self.resources.repository.save(kb.id, kb.content))

    def list_knowledge_bases(self) -> list[KnowledgeBaseInfo]:
        return [_local_info(kb) for kb in self.resources.repository.list_all()]

    def export(self, kb_id: str, fmt: str) -> str:
        kb = self.resources.repository.get(kb_id)
        if fmt == "yaml":
            return dump_yaml(kb)
        return json.dumps(kb.content.to_interchange(), ensure_ascii=False, indent=2)

    def analyze(
        self, kb_id: str, path: Path, fmt: PostFormat | None, progress: Progress
    ) -> tuple[AnalysisResult, Callable[[], str]]:
        from service.analysis.engine import PostOutcome, Vectors, aggregate, check_posts
        from service.analysis.parsing import detect_post_format, parse_posts
        from service.analysis.report import render_report

        body = path.read_bytes()
        posts = parse_posts(body, fmt or detect_post_format(None, path.name, body))
        kb = self.resources.repository.get(kb_id)
        done = 0
        progress(done, len(posts))

        def on_batch(batch: list[PostOutcome], _vectors: Vectors) -> None:
            nonlocal done
            done += len(batch)
            progress(done, len(posts))

        outcomes, vectors = check_posts(self.resources.checker, kb.id, posts, on_batch=on_batch)
        result = aggregate(kb, outcomes, vectors)
        return result, lambda: render_report(result)


def _local_info(kb: KnowledgeBase) -> KnowledgeBaseInfo:
    return KnowledgeBaseInfo(kb.id, kb.version, kb.lang, kb.product, len(kb.facts), len(kb.key_messages))


class RemoteBackend(Backend):
    """A running server, through the Python client."""

    def __init__(self, url: str, api_key: str | None) -> None:
        from brandcheck_client import BrandcheckClient

        self._url = url.rstrip("/")
        self._api_key = api_key
        self._client = BrandcheckClient(url, api_key=api_key)

    def close(self) -> None:
        self._client.close()

    def check(self, kb_id: str, text: str, lang: str | None) -> Any:
        return self._client.check(kb_id, text, lang)

    def save(self, path: Path, kb: KnowledgeBase) -> KnowledgeBaseInfo:
        stored = self._client.import_knowledge_base(path, kb_id=kb.id)  # the id a local load would give it
        return KnowledgeBaseInfo(
            stored.id, stored.version, stored.lang, stored.product, len(stored.facts), len(stored.key_messages)
        )

    def list_knowledge_bases(self) -> list[KnowledgeBaseInfo]:
        return [
            KnowledgeBaseInfo(s.id, s.version, s.lang, s.product, s.counts["facts"], s.counts.get("key-messages", 0))
            for s in self._client.list_knowledge_bases()
        ]

    def export(self, kb_id: str, fmt: str) -> str:
        return self._client.export_knowledge_base(kb_id, "yaml" if fmt == "yaml" else "json")

    def analyze(
        self, kb_id: str, path: Path, fmt: PostFormat | None, progress: Progress
    ) -> tuple[AnalysisResult, Callable[[], str]]:
        from brandcheck_client import BrandcheckError, Job

        from service.analysis.schemas import AnalysisResult

        job = self._client.submit_analysis(kb_id, path)  # the server detects the format from the content type
        if not isinstance(job, Job):
            raise BrandcheckError("the server answered an analysis job with its result")
        result = self._client.wait_for_analysis(job.id, on_progress=lambda j: progress(j.done, j.total))
        return AnalysisResult.model_validate(result.model_dump(mode="json")), lambda: self._report(job.id)

    def _report(self, job_id: str) -> str:
        """The server's HTML report of a job (the client has no call for it)."""
        import httpx

        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        response = httpx.get(f"{self._url}/api/v1/analyses/{job_id}/report.html", headers=headers, timeout=60)
        response.raise_for_status()
        return response.text


def _backend(settings: Settings, args: argparse.Namespace) -> Backend:
    """A server's client for --server (or BRANDCHECK_SERVER), else the local store."""
    url = args.server or os.environ.get("BRANDCHECK_SERVER")
    if not url:
        return LocalBackend(settings)
    return RemoteBackend(url, args.api_key or os.environ.get("BRANDCHECK_API_KEY"))


def _print_check(result: Any, as_json: bool) -> None:
    if as_json:
        print(result.model_dump_json(indent=2))
        return
    for sentence in result.sentences:
        kinds = ", ".join(d.kind for d in sentence.distortions) or sentence.verdict
        print(f"[{kinds:>13}] {sentence.text}")
        for distortion in sentence.distortions:
            print(f"{'':16}{distortion.explanation}")
            print(f"{'':16}-> {distortion.correction or '(remove)'}")
    carried = ", ".join(m.id for m in result.key_messages_carried) or "none"
    print(f"key messages carried: {carried}; consistency {result.consistency_score:.0%}")


def _check(settings: Settings, args: argparse.Namespace) -> int:
    text = Path(args.file).read_text(encoding="utf-8") if args.file else " ".join(args.text)
    if not text.strip():
        print("error: nothing to check (give TEXT or --file)", file=sys.stderr)
        return EXIT_USAGE
    with _backend(settings, args) as backend:
        result = backend.check(args.kb, text, args.lang)
    _print_check(result, args.json)
    return EXIT_DISTORTIONS if result.distortions else EXIT_OK


def _kb_load(settings: Settings, args: argparse.Namespace) -> int:
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
    with _backend(settings, args) as backend:
        for path, kb in zip(args.files, documents, strict=True):
            stored = backend.save(Path(path), kb)
            print(f"{stored.id}: version {stored.version}, {stored.facts} facts, {stored.key_messages} key messages")
    return EXIT_OK


def _kb_list(settings: Settings, args: argparse.Namespace) -> int:
    with _backend(settings, args) as backend:
        for kb in backend.list_knowledge_bases():
            print(f"{kb.id}\tv{kb.version}\t{kb.lang}\t{kb.product}\t{kb.facts} facts")
    return EXIT_OK


def _kb_export(settings: Settings, args: argparse.Namespace) -> int:
    with _backend(settings, args) as backend:
        print(backend.export(args.kb_id, args.format), end="" if args.format == "yaml" else "\n")
    return EXIT_OK


def _kb_reindex(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from service.resources import open_resources

    with open_resources(settings, allow_model_mismatch=True) as resources:
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
    return EXIT_OK


def _eval(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from service.check.decision import DecisionModel
    from service.check.evaluation import run_eval
    from service.check.training import collect, coverage_report, leave_one_product_out, write_jsonl
    from service.resources import load_embedder

    embedder = load_embedder(settings)
    set_dir, out = Path(args.set_dir), Path(args.out)
    with tqdm(unit="case", desc="checking", disable=args.quiet) as bar:
        if args.lopo:
            posts = collect(set_dir, embedder, settings.check, bar.update)
            predictions = leave_one_product_out(posts)
            write_jsonl(out, predictions)
            count = len(predictions)
        else:
            decision = DecisionModel.load(Path(args.decision)) if args.decision else None
            count = run_eval(set_dir, out, embedder, settings.check, lambda _p, n: bar.update(n), decision)
    print(f"wrote {count} predictions to {out}" + (" (leave-one-product-out)" if args.lopo else ""))
    if args.lopo:
        print(coverage_report(set_dir, predictions))
    return EXIT_OK


# The dev products `train --kb` fits on beside the feedback: ../shared/eval/dev next to the checkout.
DEFAULT_DEV_SET = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev"


def _train(settings: Settings, args: argparse.Namespace) -> int:
    if args.kb:
        return _train_kb(settings, args)
    if args.set:
        print("error: --set goes with --kb (without it, give the set as SET_DIR)", file=sys.stderr)
        return EXIT_USAGE
    if not args.set_dir:
        print("error: give SET_DIR (a folder of labelled products), or --kb ID", file=sys.stderr)
        return EXIT_USAGE
    from tqdm import tqdm

    from service.check.decision import DEFAULT_MODEL_PATH
    from service.check.training import collect, fit
    from service.resources import load_embedder

    embedder = load_embedder(settings)
    set_dir = Path(args.set_dir)
    with tqdm(unit="case", desc="proposing", disable=args.quiet) as bar:
        posts = collect(set_dir, embedder, settings.check, bar.update)
    products = sorted({post.product for post in posts})
    own = sum(not post.foreign for post in posts)
    trained_on = f"{len(products)} products, {own} posts and {len(posts) - own} foreign ({set_dir.name})"
    model = fit(posts, version=args.version, trained_on=trained_on)
    out = Path(args.out) if args.out else DEFAULT_MODEL_PATH
    model.save(out)
    print(f"wrote {out} ({out.stat().st_size} bytes): thresholds {dict(model.thresholds)}")
    return EXIT_OK


def _train_kb(settings: Settings, args: argparse.Namespace) -> int:
    """`train --kb ID`: fit the knowledge base's own decision on the dev set plus its feedback; store it as the
    next version and activate it."""
    from tqdm import tqdm

    from knowledge_base.errors import NoFeedbackError
    from service.decision_models.service import DecisionModelService
    from service.resources import open_resources

    if args.out or (args.set_dir and args.set):
        print("error: with --kb, the model is kept in the store (no --out) and the set is --set DIR", file=sys.stderr)
        return EXIT_USAGE
    set_dir = Path(args.set or args.set_dir or DEFAULT_DEV_SET)
    if not set_dir.is_dir():
        print(f"error: no labelled set at {set_dir} (give --set DIR)", file=sys.stderr)
        return EXIT_USAGE
    with open_resources(settings) as resources:
        service = DecisionModelService(resources.repository, resources.checker.decisions)
        try:
            with tqdm(unit="case", desc="proposing", disable=args.quiet) as bar:
                info = service.train(args.kb, set_dir, resources.embedder, settings.check, bar.update)
        except NoFeedbackError as exc:
            print(f"error: {exc.detail}", file=sys.stderr)
            return EXIT_USAGE
    print(f"{info.kb_id}: decision model version {info.version} ({info.decision_version}), active; {info.trained_on}")
    return EXIT_OK


def _kb_models(settings: Settings, args: argparse.Namespace) -> int:
    """`kb models ID [--activate N | --rollback]`: list the knowledge base's decision models, or switch."""
    from service.decision_models.service import DecisionModelService
    from service.resources import open_resources

    if args.server or os.environ.get("BRANDCHECK_SERVER"):
        print("error: `kb models` works on the local store (the API has GET .../decision-models)", file=sys.stderr)
        return EXIT_USAGE
    with open_resources(settings) as resources:
        service = DecisionModelService(resources.repository, resources.checker.decisions)
        if args.activate is not None:
            info = service.activate(args.kb_id, args.activate)
            print(f"{args.kb_id}: decision model version {info.version} ({info.decision_version}) is active")
            return EXIT_OK
        if args.rollback:
            rolled = service.rollback(args.kb_id)
            where = f"version {rolled.version} ({rolled.decision_version})" if rolled else "the shared decision model"
            print(f"{args.kb_id}: rolled back to {where}")
            return EXIT_OK
        models = service.list(args.kb_id)
        shared = resources.checker.decisions.shared.version
        if not any(model.active for model in models):
            print(f"{args.kb_id}: uses the shared decision model ({shared})")
        for model in models:
            mark = "*" if model.active else " "
            print(f"{mark} {model.version}\t{model.created}\t{model.feedback_entries} feedback\t{model.trained_on}")
    return EXIT_OK


def _feedback_curve(settings: Settings, args: argparse.Namespace) -> int:
    from collections import defaultdict

    from tqdm import tqdm

    from service.check.training import collect, feedback_curve
    from service.resources import load_embedder

    try:
        reviewed = sorted({int(n) for n in args.reviewed.split(",")})
    except ValueError:
        print(f"--reviewed: not a list of whole numbers: {args.reviewed!r}", file=sys.stderr)
        return EXIT_USAGE
    with tqdm(unit="case", desc="proposing", disable=args.quiet) as bar:
        posts = collect(Path(args.set_dir), load_embedder(settings), settings.check, bar.update)
    points = feedback_curve(posts, reviewed)
    by_product: dict[str, dict[int, float]] = defaultdict(dict)
    for point in points:
        by_product[point.product][point.reviewed] = point.f1
    header = " ".join(f"{n:>6}" for n in reviewed)
    print(f"distortion F1 of the posts not reviewed (posts 20 on, or n on), by posts reviewed\n{'':<16}{header}")
    for product, row in by_product.items():
        print(f"{product:<16}" + " ".join(f"{row[n]:6.3f}" if n in row else f"{'-':>6}" for n in reviewed))
    columns = [[row[n] for row in by_product.values() if n in row] for n in reviewed]
    print(f"{'mean':<16}" + " ".join(f"{sum(c) / len(c):6.3f}" if c else f"{'-':>6}" for c in columns))
    return EXIT_OK


def _feedback_export(settings: Settings, args: argparse.Namespace) -> int:
    from service.feedback.service import FeedbackService
    from service.resources import open_resources

    out = Path(args.out)
    with open_resources(settings) as resources:
        count = FeedbackService(resources.repository).export(args.kb, out)
    print(f"wrote {out / 'kb.json'} and {count} reviewed posts to {out / 'cases.jsonl'}")
    return EXIT_OK


def _analyze(settings: Settings, args: argparse.Namespace) -> int:
    from tqdm import tqdm

    with (
        _backend(settings, args) as backend,
        tqdm(unit="post", desc="analysing", disable=args.quiet) as bar,
    ):

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        result, report = backend.analyze(args.kb, Path(args.file), args.format, progress)
        Path(args.out).write_text(result.model_dump_json(indent=2), encoding="utf-8")
        if args.html:
            Path(args.html).write_text(report(), encoding="utf-8")
    top = ", ".join(f"{d.fact_id or d.kind} ({d.posts})" for d in result.distortions[:3]) or "none"
    print(f"{result.posts} posts, {result.distorted_posts} with distortions; correct first: {top}")
    print(f"wrote {args.out}" + (f" and {args.html}" if args.html else ""))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(prog="brandcheck", description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="data directory (default: BRANDCHECK_DATA_DIR or ./data)")
    parser.add_argument("--model", help="embedding model (default: BRANDCHECK_MODEL or multilingual-use)")
    parser.add_argument("--server", help="use a brandcheck server at this URL (default: BRANDCHECK_SERVER; else local)")
    parser.add_argument("--api-key", help="API key for --server (default: BRANDCHECK_API_KEY)")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the API and the web form")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--seed-samples", action="store_true", help="load the sample knowledge bases on first start")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (needs BRANDCHECK_QDRANT_URL)")
    serve.set_defaults(handler=_serve)

    kb = commands.add_parser("kb", help="manage knowledge bases, locally or on --server").add_subparsers(
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
    reindex = kb.add_parser("reindex", help="re-embed every knowledge base with the configured model (local store)")
    reindex.set_defaults(handler=_kb_reindex)
    models = kb.add_parser(
        "models", help="a knowledge base's own decision models (from `train --kb`): list, activate, roll back"
    )
    models.add_argument("kb_id")
    switch = models.add_mutually_exclusive_group()
    switch.add_argument("--activate", type=int, metavar="N", help="make version N the one checks use")
    switch.add_argument(
        "--rollback", action="store_true", help="activate the version before the active one (from 1: the shared)"
    )
    models.set_defaults(handler=_kb_models)

    keys = commands.add_parser("keys", help="API keys for the server").add_subparsers(
        dest="keys_command", required=True
    )
    create_key = keys.add_parser("create", help="make a key; prints it once and stores only its SHA-256")
    create_key.add_argument("--name", required=True, help="shown in the audit log")
    create_key.add_argument("--role", required=True, choices=["reviewer", "editor", "admin"])
    create_key.add_argument("--file", help="keys file to add it to (BRANDCHECK_KEYS_FILE); else print the entry")
    create_key.add_argument("--rate-per-minute", type=int, help="override the default rate limit")
    create_key.set_defaults(handler=_keys_create)
    hash_command = keys.add_parser("hash", help="print the SHA-256 of a key read from standard input")
    hash_command.set_defaults(handler=_keys_hash)

    check = commands.add_parser("check", help="check a post; exit code 3 when it has distortions")
    check.add_argument("text", nargs="*", help="the text (or use --file)")
    check.add_argument("--kb", required=True, help="knowledge-base id")
    check.add_argument("--file", help="read the text from this file")
    check.add_argument("--lang", choices=["zh", "en", "mixed"])
    check.add_argument("--json", action="store_true", help="print the full result as JSON")
    check.set_defaults(handler=_check)

    analyze = commands.add_parser(
        "analyze", help="analyse a corpus of posts (JSON, JSONL or CSV), locally or on --server"
    )
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
    evaluate.add_argument(
        "--lopo",
        action="store_true",
        help="leave-one-product-out: fit the decision on the other products and predict each left-out one",
    )
    evaluate.add_argument("--decision", help="a decision file from `brandcheck train` (default: the shipped one)")
    evaluate.set_defaults(handler=_eval)

    train = commands.add_parser(
        "train",
        help="fit the decision on labelled products (shared/eval format); with --kb, one knowledge base's own "
        "from the dev set plus its reviewers' feedback",
    )
    train.add_argument("set_dir", nargs="?", help="a folder of product folders (kb.json + cases.jsonl)")
    train.add_argument(
        "--kb", help="fit this knowledge base's own decision (kept in the store as its next version, and activated)"
    )
    train.add_argument(
        "--set", help="with --kb: the labelled products beside the feedback (default: ../shared/eval/dev)"
    )
    train.add_argument("--out", help="where to write it (default: the decision shipped with the service)")
    train.add_argument("--version", default="dev-1", help="the version recorded in the file")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(handler=_train)

    feedback = commands.add_parser("feedback", help="reviewers' feedback on verdicts (local store)").add_subparsers(
        dest="feedback_command", required=True
    )
    feedback_export = feedback.add_parser(
        "export", help="write the reviewed posts as a labelled product folder (shared/eval format)"
    )
    feedback_export.add_argument("--kb", required=True, help="knowledge-base id")
    feedback_export.add_argument("--out", required=True, help="folder for kb.json and cases.jsonl (created)")
    feedback_export.set_defaults(handler=_feedback_export)

    curve = commands.add_parser(
        "feedback-curve",
        help="simulate reviewers on labelled products: distortion F1 of the unreviewed posts after 0-40 reviewed",
    )
    curve.add_argument("set_dir", help="a folder of product folders (kb.json + cases.jsonl)")
    curve.add_argument(
        "--reviewed",
        default="0,10,20,30",
        help="how many posts each simulated reviewer labels (dev products have 32-40)",
    )
    curve.add_argument("--quiet", action="store_true", help="no progress bar")
    curve.set_defaults(handler=_feedback_curve)
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
    except KnowledgeBaseFormatError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        from service.check.evaluation import EvalSetError

        if isinstance(exc, EvalSetError):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        from brandcheck_client import BrandcheckError

        if isinstance(exc, BrandcheckError):
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        raise
    return code


if __name__ == "__main__":
    sys.exit(main())
