"""The speed results as a table: each engine's figures and its ratio to the project's."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from bench.results import EngineResult

ENGINE_NAMES = {
    "project": "briefbot (postings)",
    "rank-bm25": "rank-bm25 LuceneBM25",
    "bm25s": "bm25s (lucene)",
}

# Columns: heading, how to read the figure from a result, unit.
_COLUMNS = (
    ("build", lambda r: r.build_s, "s"),
    ("save", lambda r: r.save_s, "s"),
    ("load", lambda r: r.load_s, "s"),
    ("retrieve p50", lambda r: r.retrieve_ms.p50, "ms"),
    ("retrieve p95", lambda r: r.retrieve_ms.p95, "ms"),
    ("answer p50", lambda r: r.answer_ms.p50 if r.answer_ms else None, "ms"),
    ("answer p95", lambda r: r.answer_ms.p95 if r.answer_ms else None, "ms"),
    ("peak RSS build", lambda r: r.build_peak_mb, "MB"),
    ("peak RSS serve", lambda r: r.serve_peak_mb, "MB"),
    ("index in RAM", lambda r: r.index_mb, "MB"),
)


def speed_table(chunks: int, results: dict[str, EngineResult], agreement: dict[str, str]) -> Table:
    """One table for one corpus size; ``results`` by engine, the project's first."""
    table = Table(title=f"{chunks:,} chunks", title_justify="left")
    table.add_column("engine")
    table.add_column("queries", justify="right")
    for heading, _, _ in _COLUMNS:
        table.add_column(heading, justify="right")
    table.add_column("top 10 = briefbot's")
    for cells in _rows(results, agreement):
        table.add_row(*cells)
    return table


def markdown_table(chunks: int, results: dict[str, EngineResult], agreement: dict[str, str]) -> str:
    """The same figures as a Markdown table, for the README."""
    headings = ["engine", "queries", *(heading for heading, _, _ in _COLUMNS), "top 10"]
    lines = [f"**{chunks:,} chunks**", "", "| " + " | ".join(headings) + " |"]
    lines.append("|" + "---|" * len(headings))
    lines += ["| " + " | ".join(cells) + " |" for cells in _rows(results, agreement)]
    return "\n".join(lines) + "\n"


def _rows(results: dict[str, EngineResult], agreement: dict[str, str]) -> list[list[str]]:
    """A row of cells per engine: its name, queries, figures (with ratios) and agreement."""
    base = results.get("project")
    return [
        [
            ENGINE_NAMES.get(engine, engine),
            f"{result.queries:,}",
            *(
                _cell(read(result), read(base) if base else None, unit, engine)
                for _, read, unit in _COLUMNS
            ),
            agreement.get(engine, ""),
        ]
        for engine, result in results.items()
    ]


def print_tables(tables: list[Table], notes: list[str]) -> None:
    console = Console(width=250)
    for table in tables:
        console.print(table)
    for note in notes:
        console.print(note)


def _cell(value: float | None, base: float | None, unit: str, engine: str) -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f} {unit}" if unit == "MB" else f"{_figure(value)} {unit}"
    if engine == "project" or not base:
        return text
    return f"{text} (×{_figure(value / base)})"


def _figure(value: float) -> str:
    """Three significant figures, without scientific notation."""
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"
