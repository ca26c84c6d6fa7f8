"""The briefbot harness, run as a user runs it."""

import ctypes
import json
import os
import shutil
import subprocess
import sys

import pytest

from bot.cli import main
from bot.render import plain, render_answer
from index.answering import answer
from index.baseline import evaluate_baseline
from index.evaluation import evaluate, parse_cases
from tests.bot.conftest import SHOIGU_QUESTION
from tests.conftest import BRIEFINGS, BUNDLED_ID


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BRIEFBOT_BRIEFINGS", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def test_ask_prints_what_the_bot_would_post(capsys, bundled_index):
    assert main(["ask", SHOIGU_QUESTION]) == 0
    out = capsys.readouterr().out
    assert out == render_answer(answer(bundled_index, SHOIGU_QUESTION)) + "\n"
    assert "Sergei Shoigu" in out and "paragraph 4" in out


def test_ask_json_gives_one_object_per_question(capsys):
    assert main(["ask", "--json", "-k", "2", SHOIGU_QUESTION, "What did China say?"]) == 0
    lines = capsys.readouterr().out.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert first["question"] == SHOIGU_QUESTION and first["answered"] is True
    assert first["passages"][0]["paragraph"] == 4
    assert first["passages"][0]["date"] == "2025-03-21"
    assert len(first["passages"]) == 2
    assert first["passages"][0]["text"] in (BRIEFINGS / f"{BUNDLED_ID}.txt").read_text()
    assert second == {
        "question": "What did China say?",
        "answered": False,
        "reply": "The briefing does not mention China.",
        "passages": [],
    }


def test_index_build_then_info_uses_the_cache(capsys, data_dir):
    assert main(["index", "build"]) == 0
    assert "1 briefing, 14 paragraphs, 14 chunks" in capsys.readouterr().out
    assert list((data_dir / "cache").iterdir())
    assert main(["index", "info"]) == 0
    out = capsys.readouterr().out
    assert str(data_dir / "cache") in out and "2025-03-21" in out


def test_index_build_says_when_the_cache_could_not_be_written(capsys, data_dir):
    data_dir.write_text("a file where the data folder should be")
    assert main(["index", "build"]) == 2
    captured = capsys.readouterr()
    assert "could not write the index cache" in captured.err
    assert captured.out.endswith("(not cached: see the warning above)\n")


def test_eval_prints_the_figures_of_the_engine(capsys, bundled_index):
    eval_set = BRIEFINGS.parent / "tests" / "data" / "eval.jsonl"
    assert main(["eval", str(eval_set)]) == 0
    out = capsys.readouterr().out
    report = evaluate(
        bundled_index, parse_cases(eval_set.read_text().splitlines()), render_answer, plain
    )
    for label, value in [
        ("hit@1", report.hit_at_1),
        ("hit@3", report.hit_at_3),
        ("MRR", report.mrr),
        ("answer in reply", report.answer_in_reply),
        ("refusal precision", report.refusal_precision),
        ("refusal recall", report.refusal_recall),
    ]:
        assert f"{label:<18}{value:.3f}" in out
    direct = report.by_kind()["direct"]
    assert f"direct        {len(direct.outcomes)} questions  refused {direct.refused}/" in out
    baseline = evaluate_baseline(bundled_index.briefings, report_cases(eval_set))
    assert f"hit@1             {report.hit_at_1:.3f}     {baseline.hit_at_1:.3f}" in out
    assert f"refusal recall    {report.refusal_recall:.3f}     0.000" in out
    assert f"hit@1 {direct.hit_at_1:.3f} ({baseline.by_kind()['direct'].hit_at_1:.3f})" in out


def report_cases(eval_set):
    return parse_cases(eval_set.read_text().splitlines())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", "--briefings", "missing-folder", "q"], "no such file or folder"),
        (["eval", "missing.jsonl"], "missing.jsonl"),
    ],
)
def test_errors_are_one_line_and_exit_nonzero(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_a_folder_without_usable_briefings_is_an_error(capsys, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    assert main(["ask", "--briefings", str(folder), "q"]) == 2
    err = capsys.readouterr().err
    assert "skipped" in err and "could be loaded" in err and "Traceback" not in err


def test_a_damaged_cache_is_rebuilt_with_a_warning(capsys, data_dir):
    assert main(["index", "build"]) == 0
    for path in (data_dir / "cache").rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])
    capsys.readouterr()
    assert main(["ask", SHOIGU_QUESTION]) == 0
    captured = capsys.readouterr()
    assert "Sergei Shoigu" in captured.out
    assert "rebuilding" in captured.err


def run_briefbot(tmp_path, *args: str, prefix: tuple[str, ...] = (), **options):
    """``briefbot ARGS`` as a process of its own, with its data in tmp_path."""
    return run_python(tmp_path, "-m", "bot.cli", *args, prefix=prefix, **options)


def run_python(tmp_path, *args: str, prefix: tuple[str, ...] = (), env=None, **options):
    """``python ARGS`` as a process of its own, with briefbot's data in tmp_path.

    ``env`` adds to (or, with None values, removes from) the environment it inherits.
    """
    environ = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path / "data"), **(env or {})}
    return subprocess.run(
        [*prefix, sys.executable, *args],
        capture_output=True,
        text=True,
        env={key: value for key, value in environ.items() if value is not None},
        timeout=60,
        cwd=BRIEFINGS.parent,
        check=False,
        **options,
    )


def test_chat_answers_until_quit(tmp_path):
    done = run_briefbot(
        tmp_path, "chat", "--briefings", str(BRIEFINGS), input=f"{SHOIGU_QUESTION}\n:quit\n"
    )
    assert done.returncode == 0
    assert "Sergei Shoigu" in done.stdout and "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly(tmp_path):
    env = {**os.environ, "BRIEFBOT_DATA_DIR": str(tmp_path / "data")}
    ask = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "ask",
            "--briefings",
            str(BRIEFINGS),
            *[SHOIGU_QUESTION] * 200,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=BRIEFINGS.parent,
    )
    assert ask.stdout is not None
    ask.stdout.readline()
    ask.stdout.close()
    _, err = ask.communicate(timeout=60)
    assert ask.returncode == 0
    assert err == b""


def test_an_eval_file_that_is_not_utf8_is_one_line_and_exit_2(capsys, tmp_path):
    questions = tmp_path / "questions.jsonl"
    questions.write_bytes(
        '{"q": "Qui a visité Pyongyang ?", "unanswerable": true}\n'.encode("latin-1")
    )
    assert main(["eval", str(questions)]) == 2
    err = capsys.readouterr().err
    assert err == f"briefbot: error: {questions} is not UTF-8 text; save it as UTF-8\n"


def test_chat_with_standard_input_closed_is_one_line_and_exit_2(tmp_path):
    # The shell closes descriptor 0 before it runs briefbot.
    closing = ("sh", "-c", 'exec "$@" <&-', "sh")
    done = run_briefbot(tmp_path, "chat", "--briefings", str(BRIEFINGS), prefix=closing)
    assert done.returncode == 2
    assert done.stderr == (
        "briefbot: error: chat reads questions from standard input, which is closed; "
        "ask with: briefbot ask QUESTION\n"
    )


def drop_file_permission_override() -> None:
    """In the child: lose root's power to read any folder, so permissions apply to it too."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)  # fails harmlessly when not root


CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux capabilities")
def test_an_unreadable_folder_among_the_briefings_is_warned_of(tmp_path):
    folder = tmp_path / "briefings"
    shutil.copytree(BRIEFINGS, folder)
    locked = folder / "locked"
    locked.mkdir()
    (locked / "hidden-away.txt").write_text("Penguins were counted in the locked folder.\n")
    locked.chmod(0)
    probe = [sys.executable, "-c", f"import os; os.listdir({str(locked)!r})"]
    listed = subprocess.run(
        probe, capture_output=True, check=False, preexec_fn=drop_file_permission_override
    )
    if listed.returncode == 0:
        locked.chmod(0o700)
        pytest.skip("this user can read any folder, whatever its permissions")
    try:
        done = run_briefbot(
            tmp_path,
            "ask",
            "--briefings",
            str(folder),
            SHOIGU_QUESTION,
            preexec_fn=drop_file_permission_override,
        )
    finally:
        locked.chmod(0o700)
    assert done.returncode == 0, done.stderr
    assert "Sergei Shoigu" in done.stdout
    assert done.stderr == (
        f"briefbot: warning: skipped {locked}: the folder cannot be read (Permission denied)\n"
    )


# What a question answered from a valid cache never needs: Discord, the store, the
# build's process pool and tiktoken, YAML (no front matter), evaluation, simplemma's
# dictionary (index.english has what the analyzer needs), RapidFuzz (no typo).
UNUSED_BY_ASK = (
    "discord",
    "bot.store",
    "index.building",
    "multiprocessing",
    "tiktoken",
    "yaml",
    "index.evaluation",
    "index.baseline",
    "rank_bm25",
    "simplemma",
    "rapidfuzz",
)


def test_a_cold_ask_imports_nothing_it_does_not_use(tmp_path):
    script = (
        "import sys\n"
        "from bot.cli import main\n"
        f"main(['ask', {SHOIGU_QUESTION!r}])\n"
        f"print([name for name in {UNUSED_BY_ASK!r} if name in sys.modules])\n"
    )
    assert run_briefbot(tmp_path, "index", "build").returncode == 0
    done = run_python(tmp_path, "-c", script)
    assert done.returncode == 0, done.stderr
    assert "Sergei Shoigu" in done.stdout
    assert done.stdout.splitlines()[-1] == "[]"


def test_a_store_that_cannot_be_opened_is_an_error_not_a_traceback(capsys, monkeypatch):
    # Nothing listens on port 1 of the loopback address: the connection is refused at once.
    monkeypatch.setenv("BRIEFBOT_DATABASE_URL", "postgresql://briefbot@127.0.0.1:1/briefbot")
    assert main(["uploads"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefbot: error: the PostgreSQL store failed") and "Traceback" not in err


@pytest.mark.parametrize("line", ['{"question": 3}', "[" * 100_000 + "]" * 100_000])
def test_an_eval_file_with_a_bad_line_is_one_line_and_exit_2(capsys, tmp_path, line):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(line + "\n", encoding="utf-8")
    assert main(["eval", str(cases)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefbot: error: line 1") and err.count("\n") == 1


# The password is "S3CRET" in each: a store's error never shows it, however the URL is wrong.
LEAKY_URLS = (
    "postgress://bb:S3CRET@localhost/bb",  # misspelt scheme: not a URL to libpq
    "postgresql://bb:S3CRET@127.0.0.1:1/bb",  # nothing listens on port 1
    "postgresql://bb:S3CRET@127.0.0.1:1/bb?sslmode=bogus",
    "postgresql://bb:S3CRET@127.0.0.1:1/bb?foo=bar",
    "host=127.0.0.1 port=1 user=bb password=S3CRET dbname=bb options=='",
    "postgresql://bb:S3%CRET@127.0.0.1:1/bb",  # a bad percent escape, quoted back
)


@pytest.mark.parametrize("command", ["report", "uploads"])
@pytest.mark.parametrize("url", LEAKY_URLS)
def test_a_store_error_never_shows_the_password(capsys, monkeypatch, command, url):
    monkeypatch.setenv("BRIEFBOT_DATABASE_URL", url)
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.startswith("briefbot: error: the PostgreSQL store failed")
    assert "S3CRET" not in err and "S3%CRET" not in err and "CRET" not in err
    assert err.count("\n") == 1


def test_run_never_shows_the_password_of_a_store_it_cannot_open(tmp_path):
    done = run_briefbot(
        tmp_path,
        "run",
        env={
            "DISCORD_TOKEN": "not.a.real-token",
            "BRIEFBOT_LOG_LEVEL": "DEBUG",
            "BRIEFBOT_DATABASE_URL": "postgress://bb:S3CRET@localhost/bb",
        },
    )
    assert done.returncode == 2
    assert "the PostgreSQL store failed" in done.stderr
    assert "S3CRET" not in done.stderr + done.stdout and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"q":"who is shoigu","paras":[4],"answer":7}', 'line 1: "answer" must be a string'),
        ('{"q":"who is shoigu","paras":[4],"answer":["x"]}', 'line 1: "answer" must be a string'),
        ('{"q":"who","unanswerable":"no"}', 'line 1: "unanswerable" must be true or false'),
        ('{"q":"who","paras":[4],"briefing":"nowhere"}', "line 1: no briefing has the id"),
        ('{"q":"who","paras":[40]}', "line 1: paragraph 40 is past the end of any briefing"),
    ],
)
def test_an_eval_case_of_the_wrong_type_or_beyond_the_briefings_is_one_line(
    capsys, tmp_path, line, message
):
    cases = tmp_path / "a.jsonl"
    cases.write_text(line + "\n", encoding="utf-8")
    assert main(["eval", str(cases)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(f"briefbot: error: {message}"), captured.err
    assert captured.err.count("\n") == 1 and captured.out == ""


def test_eval_reads_a_byte_order_mark_and_prints_no_figure_it_has_no_questions_for(
    capsys, tmp_path
):
    answerable = tmp_path / "answerable.jsonl"
    answerable.write_text(
        "\ufeff" + json.dumps({"q": SHOIGU_QUESTION, "paras": [4], "answer": "Sergei Shoigu"}),
        encoding="utf-8",
    )
    assert main(["eval", str(answerable)]) == 0
    out = capsys.readouterr().out
    assert "1 questions: 1 answerable, 0 not" in out
    assert "hit@1             1.000" in out
    assert "refusal recall    -         -\n" in out
    unanswerable = tmp_path / "unanswerable.jsonl"
    unanswerable.write_text('{"q": "What did China say?", "unanswerable": true}\n')
    assert main(["eval", str(unanswerable)]) == 0
    out = capsys.readouterr().out
    assert "hit@1             -         -\n" in out and "MRR               -         -\n" in out
    assert "refusal recall    1.000     0.000" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", "-k", "x", "q"], "argument -k: invalid whole number value: 'x'"),
        (["report", "--days", "x"], "argument --days: invalid number of days value: 'x'"),
        (["report", "--guild", "x"], "argument --guild: invalid server id value: 'x'"),
        (["report", "--guild", str(2**63)], "argument --guild: a server id is a positive"),
    ],
)
def test_a_bad_argument_is_named_in_words(capsys, argv, message):
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_a_dotenv_that_is_not_utf8_is_named_in_one_line(capsys, tmp_path):
    (tmp_path / ".env").write_bytes("BRIEFBOT_PREFIX=!\n".encode("utf-16"))
    assert main(["ask", "hi"]) == 2
    err = capsys.readouterr().err
    assert (
        err == f"briefbot: error: {tmp_path / '.env'} is not UTF-8 text (saved as UTF-16?); "
        "save it as UTF-8\n"
    )


def test_an_ascii_terminal_gets_the_reply_with_escapes(tmp_path):
    done = run_briefbot(
        tmp_path,
        "ask",
        "--briefings",
        str(BRIEFINGS),
        "who is shoigu",
        "Что сказал Шойгу?",
        env={"PYTHONIOENCODING": "ascii"},
    )
    assert done.returncode == 0, done.stderr
    assert "Sergei Shoigu" in done.stdout and done.stderr == ""
    assert "\\u" in done.stdout  # the curly quotes and the Cyrillic, escaped


def test_eval_failures_lists_every_question_that_missed(capsys, tmp_path):
    cases = tmp_path / "cases.jsonl"
    lines = [
        {"q": SHOIGU_QUESTION, "paras": [4], "answer": "Sergei Shoigu"},  # right
        {"q": SHOIGU_QUESTION + " ", "paras": [9], "answer": "Sergei Shoigu"},  # wrong paragraph
        {"q": "Who is Kim Jong Un's sister?", "paras": [4], "answer": "not in it"},  # no phrase
        {"q": "What did China say?", "paras": [2]},  # refused, but answerable
        {"q": "What is Shoigu's job?", "unanswerable": True},  # answered, but should refuse
        {"q": "What is the capital of France?", "unanswerable": True},  # right
    ]
    cases.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    assert main(["eval", "--failures", str(cases)]) == 0
    out = capsys.readouterr().out
    missed = [line for line in out.splitlines() if line.startswith("MISS ")]
    assert [line.split(" (rank")[0] for line in missed] == [
        f"MISS {lines[n]['q']!r}" for n in (1, 2, 3, 4)
    ]
    assert f"MISS {SHOIGU_QUESTION + ' '!r} (rank None)" in out


@pytest.mark.parametrize("path", ["", "  "])
def test_an_empty_briefings_path_is_an_error_not_the_current_folder(capsys, path):
    with pytest.raises(SystemExit) as exited:
        main(["ask", "--briefings", path, SHOIGU_QUESTION])
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert "argument --briefings: an empty path names no briefing file or folder" in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("value", [" ", "\t", f"{BRIEFINGS}{os.pathsep} "])
def test_briefbot_briefings_of_spaces_is_an_error_not_the_bundled_briefings(
    capsys, monkeypatch, value
):
    monkeypatch.setenv("BRIEFBOT_BRIEFINGS", value)
    assert main(["ask", SHOIGU_QUESTION]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("briefbot: error: BRIEFBOT_BRIEFINGS has a path of only spaces")
    assert captured.out == ""


@pytest.mark.parametrize("leave", ["quit", "EXIT", ":q", "/Quit", "  exit  "])
def test_chat_ends_on_the_words_people_leave_with(tmp_path, leave):
    done = run_briefbot(
        tmp_path, "chat", "--briefings", str(BRIEFINGS), input=f"{leave}\n{SHOIGU_QUESTION}\n"
    )
    assert done.returncode == 0, done.stderr
    assert "Type a question, or quit to leave." in done.stdout
    assert "does not mention" not in done.stdout and "Sergei Shoigu" not in done.stdout


def test_chat_on_an_ascii_terminal_reads_and_answers_any_script(tmp_path):
    done = run_briefbot(
        tmp_path,
        "chat",
        "--briefings",
        str(BRIEFINGS),
        input="Шойгу?\nwho is shoigu\n",
        env={"PYTHONIOENCODING": "ascii"},
    )
    assert done.returncode == 0, done.stderr
    assert "Sergei Shoigu" in done.stdout and "Traceback" not in done.stderr
