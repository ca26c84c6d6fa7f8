"""The ``briefbot`` command: the local harness that answers exactly as the bot does.

``ask``, ``chat`` and ``eval`` print what the core renders for Discord, so
what you see here is what a Discord user reads; ``index`` builds or describes
the cache; ``uploads`` lists (and assigns) what servers uploaded; ``report``
prints what readers asked that the briefings lacked, as /briefing-gaps shows
it; ``run`` starts the Discord bot.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np

from bot.render import count_of, plain, render_answer
from bot.settings import SNOWFLAKE_LIMIT, Settings, SettingsError, load_settings
from index.answering import DEFAULT_PASSAGES, Answer, answer
from index.briefingtable import paragraph_arrays
from index.cache import cache_path, listing_key
from index.catalog import open_catalog
from index.listing import list_files
from index.loading import BriefingsNotFoundError
from index.search import Index
from index.stored import StaleBriefingError

# The evaluation, the store and the bot are imported by the commands that use them, so
# that `briefbot ask` starts without them.
if TYPE_CHECKING:
    from bot.store import Store
    from index.evaluation import Case, Outcome, Report

EXIT_ERROR = 2
T = TypeVar("T")


class CommandError(Exception):
    """A problem to report in one line, with a non-zero exit."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    tolerate_any_terminal()
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        if getattr(args, "briefings", None):
            settings = replace(settings, briefings=tuple(args.briefings))
        return args.handler(args, settings)
    except (CommandError, SettingsError, BriefingsNotFoundError, StaleBriefingError) as error:
        _error(str(error))
    except BrokenPipeError:
        # The reader went away (`briefbot eval ... | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        _error(f"{error.filename or 'file'}: {error.strerror or error}")
    except KeyboardInterrupt:
        return 130
    return EXIT_ERROR


def tolerate_any_terminal() -> None:
    r"""Write what the terminal's encoding lacks as escapes (``\u2019``) instead of crashing.

    Briefings quote curly quotes and names in any script; an ASCII terminal or
    ``PYTHONIOENCODING=ascii`` must still get every reply and error, and what
    ``chat`` reads that the encoding lacks becomes U+FFFD rather than a crash.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    reconfigure = getattr(sys.stdin, "reconfigure", None)
    if reconfigure is not None and not sys.stdin.closed:
        reconfigure(errors="replace")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefbot",
        description="Ask news briefings questions; get verbatim, attributed quotes.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    briefings = argparse.ArgumentParser(add_help=False)
    briefings.add_argument(
        "--briefings",
        type=_briefing_path,
        action="append",
        metavar="PATH",
        help="a briefing file or folder (repeatable; default: $BRIEFBOT_BRIEFINGS, "
        "else the bundled briefings)",
    )

    ask = commands.add_parser(
        "ask", parents=[briefings], help="answer questions and print the replies"
    )
    ask.add_argument("questions", nargs="+", metavar="QUESTION")
    ask.add_argument(
        "-k", type=_positive, default=DEFAULT_PASSAGES, help="passages per answer (default 3)"
    )
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.set_defaults(handler=_ask)

    chat = commands.add_parser("chat", parents=[briefings], help="ask questions interactively")
    chat.set_defaults(handler=_chat)

    index = commands.add_parser("index", help="build or describe the index cache")
    actions = index.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("build", parents=[briefings], help="build the cache now").set_defaults(
        handler=_build
    )
    actions.add_parser("info", parents=[briefings], help="show what is indexed").set_defaults(
        handler=_info
    )

    evaluation = commands.add_parser(
        "eval", parents=[briefings], help="score answers against a JSONL file"
    )
    evaluation.add_argument("file", type=Path, metavar="FILE.jsonl")
    evaluation.add_argument(
        "--failures", action="store_true", help="list the questions that missed"
    )
    evaluation.set_defaults(handler=_eval)

    uploads = commands.add_parser(
        "uploads", help="list the briefings servers uploaded, or assign one to a server"
    )
    uploads.set_defaults(handler=_uploads, assign=None)
    assign = uploads.add_subparsers(dest="action", metavar="ACTION").add_parser(
        "assign", help="give an upload that belongs to no server to a server"
    )
    assign.add_argument("briefing", metavar="BRIEFING_ID")
    assign.add_argument("guild", type=_server_id, metavar="SERVER_ID")
    assign.set_defaults(handler=_assign)

    report = commands.add_parser(
        "report", help="what readers asked that the briefings lacked, server by server"
    )
    report.add_argument(
        "--days", type=_report_days, default=7, help="how many days back to look (default 7)"
    )
    report.add_argument(
        "--guild", type=_server_id, metavar="SERVER_ID", help="only this server (default: each)"
    )
    report.set_defaults(handler=_report)

    run = commands.add_parser(
        "run", parents=[briefings], help="start the Discord bot (needs DISCORD_TOKEN)"
    )
    run.set_defaults(handler=_run)
    return parser


def _named(name: str) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """Give an argument type the name argparse shows in "invalid NAME value: 'x'"."""

    def naming(parse: Callable[[str], T]) -> Callable[[str], T]:
        parse.__name__ = name
        return parse

    return naming


@_named("path")
def _briefing_path(value: str) -> Path:
    if not value.strip():  # Path("") is the current folder, which would be indexed whole
        raise argparse.ArgumentTypeError("an empty path names no briefing file or folder")
    return Path(value)


@_named("whole number")
def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


@_named("number of days")
def _report_days(value: str) -> int:
    from bot.gaps import MAX_DAYS

    number = _positive(value)
    if number > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_DAYS}")
    return number


@_named("server id")
def _server_id(value: str) -> int:
    number = int(value)  # a ValueError is argparse's "invalid server id value"
    if not 0 < number < SNOWFLAKE_LIMIT:
        raise argparse.ArgumentTypeError(
            f"a server id is a positive whole number below 2**63, as Discord shows it, "
            f"not {value[:40]}"
        )
    return number


def _open(
    settings: Settings,
    *,
    progress: bool = False,
    refresh: bool = False,
    note: Callable[[str], None] = lambda _: None,
) -> Index:
    tracker = _progress_bar() if progress else iter
    return open_catalog(
        settings.briefings,
        settings.cache_dir,
        _warn,
        progress=tracker,
        max_cache_bytes=settings.cache_max_bytes,
        refresh=refresh,
        note=note,
    )


class _Briefings:
    """The briefings' index, indexed again once when a briefing turns out to have changed.

    A file that changed but kept its size and time is found out only when its
    text is read; the index is then built again over its stale cache.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.index = _open(settings)

    def run(self, work: Callable[[Index], T]) -> T:
        """``work`` done with the index; done again over a fresh one if a briefing changed."""
        try:
            return work(self.index)
        except StaleBriefingError as error:
            _warn(f"{error}; indexing again")
            self.index = _open(self.settings, refresh=True)
            return work(self.index)

    def answer(self, question: str, k: int = DEFAULT_PASSAGES) -> Answer:
        """The answer to ``question``, as the bot would give it."""
        return self.run(lambda index: answer(index, question, k))


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    briefings = _Briefings(settings)
    for number, question in enumerate(args.questions):
        result = briefings.answer(question, args.k)
        if args.json:
            print(json.dumps(answer_json(result), ensure_ascii=False))
        else:
            print(("\n" if number else "") + render_answer(result))
    return 0


def answer_json(result: Answer) -> dict[str, object]:
    """The ``--json`` form of an answer: the reply and its passages, best first."""
    return {
        "question": result.question,
        "answered": result.answered,
        "reply": render_answer(result),
        "passages": [
            {
                "briefing": p.briefing.id,
                "title": p.briefing.title,
                "date": p.briefing.date,
                "paragraph": p.paragraph,
                "text": p.text,
                "score": round(p.score, 6),
            }
            for p in result.passages
        ],
    }


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    if sys.stdin is None or sys.stdin.closed:
        raise CommandError(
            "chat reads questions from standard input, which is closed; "
            "ask with: briefbot ask QUESTION"
        )
    briefings = _Briefings(settings)
    _enable_history(settings.data_dir / "chat_history")
    names = ", ".join(b.name for b in briefings.index.briefings)
    print(f"Asking {names}. Type a question, or quit to leave.")
    while True:
        try:
            question = input("? ")
        except EOFError:
            print()
            return 0
        if question.strip().casefold() in _LEAVE_CHAT:
            return 0
        print(render_answer(briefings.answer(question)) + "\n")


# What people type to leave a prompt, as other shells and editors take it.
_LEAVE_CHAT = frozenset({"quit", "exit", ":q", ":quit", ":exit", "/quit", "/exit"})


def _enable_history(path: Path) -> None:
    try:
        import readline
    except ImportError:  # Windows has no readline; input() still works.
        return
    import atexit

    with contextlib.suppress(OSError):
        readline.read_history_file(path)

    def save() -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(path)
        except OSError:
            pass

    atexit.register(save)


def _build(args: argparse.Namespace, settings: Settings) -> int:
    notes: list[str] = []
    index = _open(settings, progress=True, note=notes.append)
    cached = any(note.startswith(("index cache used", "index built and cached")) for note in notes)
    where = f"into {settings.cache_dir}" if cached else "(not cached: see the warning above)"
    print(f"Indexed {_summary(index)} {where}")
    return 0 if cached else EXIT_ERROR  # caching is all that build is for


def _info(args: argparse.Namespace, settings: Settings) -> int:
    index = _open(settings)
    print(_summary(index))
    key = listing_key(list_files(settings.briefings), index.analyzer, _chunker())
    print(f"cache: {cache_path(settings.cache_dir, key)}")
    # From the chunk table's columns: describing the briefings reads none of their files.
    owners, tokens = index.chunks.owners, index.chunks.rows[:, 4]
    chunks = np.bincount(owners, minlength=len(index.briefings)).tolist()
    totals = np.bincount(owners, weights=tokens, minlength=len(index.briefings)).tolist()
    for number, briefing in enumerate(index.briefings):
        print(
            f"  {briefing.id}: {briefing.name}, {briefing.date or 'undated'}, "
            f"{count_of(len(briefing.spans()), 'paragraph')}, {count_of(chunks[number], 'chunk')}, "
            f"{count_of(int(totals[number]), 'token')}"
        )
    return 0


def _chunker():  # noqa: ANN202
    from index.chunking import Chunker
    from index.tokens import LazyEncoding

    return Chunker(LazyEncoding())


def _summary(index: Index) -> str:
    paragraphs = len(paragraph_arrays(index.briefings)[0])  # no paragraph object each
    tokens = int(index.chunks.rows[:, 4].sum())
    count = len(index.briefings)
    return (
        f"{count_of(count, 'briefing')}, {count_of(paragraphs, 'paragraph')}, "
        f"{count_of(len(index.chunks), 'chunk')}, {count_of(tokens, 'token')}"
    )


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from index.evaluation import EvalFormatError, parse_cases

    try:
        with args.file.open(encoding="utf-8-sig") as handle:  # -sig: a BOM is no question
            cases = parse_cases(handle)
    except UnicodeDecodeError:
        raise CommandError(f"{args.file} is not UTF-8 text; save it as UTF-8") from None
    except EvalFormatError as error:
        raise CommandError(str(error)) from None
    if not cases:
        raise CommandError(f"{args.file} has no questions")
    report, baseline = _Briefings(settings).run(lambda index: _evaluated(index, cases))
    answerable = sum(c.answerable for c in cases)
    print(f"{len(cases)} questions: {answerable} answerable, {len(cases) - answerable} not")
    print(f"{'':<18}briefbot  baseline (rank-bm25 BM25Okapi over paragraphs, never refuses)")
    for label, figure in _FIGURES:
        print(f"{label:<18}{_figure(report, figure):<10}{_figure(baseline, figure)}")
    if kinds := report.by_kind():
        base = baseline.by_kind()
        print("by kind (baseline in brackets):")
        for kind, part in kinds.items():
            print("  " + _kind_line(kind, part, base[kind]))
    if args.failures:
        for outcome in report.outcomes:
            if _missed(outcome):
                print(f"\nMISS {outcome.case.question!r} (rank {outcome.rank})\n{outcome.reply}")
    return 0


def _missed(outcome: Outcome) -> bool:
    """Whether a case went wrong: refused or not as it should be, not hit@1, or phrase absent."""
    if not outcome.case.answerable:
        return outcome.answered
    phrase_missing = outcome.case.phrase is not None and not outcome.phrase_in_reply
    return not outcome.answered or outcome.rank != 1 or phrase_missing


def _evaluated(index: Index, cases: list[Case]) -> tuple[Report, Report]:
    """The reports of briefbot and of the baseline, once every case names what the index has."""
    from index.baseline import evaluate_baseline
    from index.evaluation import check_cases, evaluate

    if problems := check_cases(cases, index.briefings):
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise CommandError(f"{'; '.join(problems[:3])}{more}: nothing was evaluated")
    return evaluate(index, cases, render_answer, plain), evaluate_baseline(index.briefings, cases)


_FIGURES = (
    ("hit@1", "hit_at_1"),
    ("hit@3", "hit_at_3"),
    ("MRR", "mrr"),
    ("answer in reply", "answer_in_reply"),
    ("refusal precision", "refusal_precision"),
    ("refusal recall", "refusal_recall"),
    ("false refusals", "false_refusals"),
)
# The figures that are shares of the answerable questions, or of the unanswerable ones.
_OF_ANSWERABLE = {"hit_at_1", "hit_at_3", "mrr", "answer_in_reply"}
_OF_UNANSWERABLE = {"refusal_recall"}


def _figure(report: Report, name: str) -> str:
    """A figure to three places, or "-" where there is nothing to take a share of."""
    answerable = sum(o.case.answerable for o in report.outcomes)
    if (
        (name == "refusal_precision" and not report.refused)
        or (name in _OF_ANSWERABLE and not answerable)
        or (name in _OF_UNANSWERABLE and answerable == len(report.outcomes))
    ):
        return "-"
    value = getattr(report, name)
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _kind_line(kind: str, report: Report, baseline: Report) -> str:
    size = len(report.outcomes)
    line = f"{kind:<12} {size:>3} questions  refused {report.refused}/{size}"
    if any(o.case.answerable for o in report.outcomes):
        line += "".join(
            f"  {label} {getattr(report, name):.3f} ({getattr(baseline, name):.3f})"
            for label, name in _FIGURES[:2] + _FIGURES[3:4]
        )
    return line


@contextlib.contextmanager
def _opened_store(settings: Settings) -> Iterator[Store]:
    """The store, migrated, with old uploads adopted, closed when done."""
    from bot.legacy import adopt_legacy_uploads
    from bot.store import open_store

    with _store_errors():
        url = settings.database_url.value if settings.database_url else None
        store = open_store(settings.data_dir, url)
        try:
            adopt_legacy_uploads(settings.uploads_dir, store)
            yield store
        finally:
            store.close()


@contextlib.contextmanager
def _store_errors() -> Iterator[None]:
    """A StoreError ends the command with its message."""
    from bot.store import StoreError

    try:
        yield
    except StoreError as error:
        raise CommandError(str(error)) from None


def _uploads(args: argparse.Namespace, settings: Settings) -> int:
    with _opened_store(settings) as store:
        uploads = store.uploads()
    if not uploads:
        print("No server has uploaded a briefing.")
        return 0
    for upload in uploads:
        owner = "no server" if upload.guild_id is None else f"server {upload.guild_id}"
        print(f"{upload.briefing_id}  {owner}  {upload.filename}  added {upload.added_at[:19]}")
    unassigned = sum(upload.guild_id is None for upload in uploads)
    if unassigned:
        print(
            f"{unassigned} upload(s) belong to no server: only BRIEFBOT_GUILD_ID's server sees "
            "them. Give one to a server with: briefbot uploads assign BRIEFING_ID SERVER_ID"
        )
    return 0


def _assign(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import UploadTakenError

    with _opened_store(settings) as store:
        briefing = _unassigned(store, args.briefing)
        try:
            if not store.assign_upload(briefing, args.guild):
                raise CommandError(f"no upload named {args.briefing!r} belongs to no server")
        except UploadTakenError as error:
            raise CommandError(str(error)) from None
    print(f"{briefing} now belongs to server {args.guild}.")
    return 0


def _unassigned(store: Store, name: str) -> str:
    """The id of the upload of no server that ``name`` means, matched case-folded as names are.

    An exact match wins; a name that folds to several ids must be given exactly.
    """
    from bot.uploads import fold_name

    ids = [upload.briefing_id for upload in store.uploads() if upload.guild_id is None]
    if name in ids:
        return name
    matches = [briefing for briefing in ids if fold_name(briefing) == fold_name(name)]
    if len(matches) > 1:
        raise CommandError(
            f"{len(matches)} uploads of no server are named like {name!r} "
            f"({', '.join(matches)}): give the id exactly"
        )
    return matches[0] if matches else name


def _report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.feedback import Feedback
    from bot.gaps import gap_report, period_start, render_gap_report
    from bot.store import NoDatabaseError, StoreError, open_store_to_read

    # Read only: no database is made, migrated or written, and no old upload adopted.
    # What is kept, and for how long, is the bot's business, not the report's.
    url = settings.database_url.value if settings.database_url else None
    try:
        store = open_store_to_read(settings.data_dir, url)
    except NoDatabaseError as error:
        print(f"Nothing to report: {error}.")
        return 0
    except StoreError as error:
        raise CommandError(str(error)) from None
    with contextlib.closing(store), _store_errors():
        feedback = Feedback(
            store, keep_questions=settings.keep_questions, retention_days=settings.retention_days
        )
        guilds = (args.guild,) if args.guild else store.answer_guilds(period_start(args.days))
        if not guilds:
            print(f"No questions were recorded in the last {count_of(args.days, 'day')}.")
            return 0
        sections = [
            render_gap_report(gap_report(feedback, guild, args.days), _server(guild), limit=None)
            for guild in guilds
        ]
    print(plain("\n\n".join(sections)))
    return 0


def _server(guild_id: int | None) -> str:
    return "Direct messages" if guild_id is None else f"Server {guild_id}"


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.__main__ import run  # imports discord.py only when the bot is wanted
    from bot.store import StoreError

    try:
        return run(settings)
    except StoreError as error:
        raise CommandError(str(error)) from None


def _progress_bar():  # noqa: ANN202
    from rich.console import Console
    from rich.progress import track

    console = Console(stderr=True)
    return lambda items: track(items, description="Indexing", console=console, transient=True)


def _warn(message: str) -> None:
    print(f"briefbot: warning: {message}", file=sys.stderr)


def _error(message: str) -> None:
    print(f"briefbot: error: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
