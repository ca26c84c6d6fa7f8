"""One engine's figures at one corpus size, from its build and serve processes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Percentiles:
    """Milliseconds at the median and the 95th percentile."""

    p50: float
    p95: float


@dataclass(frozen=True)
class EngineResult:
    """What the speed benchmark measured of one engine on one corpus.

    ``answer_ms`` is only measured for briefbot, the one engine that answers
    (retrieval, best sentence and rendering). ``top`` is the first queries'
    top 10s as (chunk position, score) pairs, to compare engines with.
    """

    queries: int
    build_s: float
    save_s: float
    load_s: float
    retrieve_ms: Percentiles
    answer_ms: Percentiles | None
    build_peak_mb: float
    serve_peak_mb: float
    index_mb: float
    top: tuple[tuple[tuple[int, float], ...], ...]

    @classmethod
    def from_phases(cls, built: dict[str, Any], served: dict[str, Any]) -> EngineResult:
        """The figures the build and serve workers printed as JSON, together."""
        answer_ms = served.get("answer_ms")
        return cls(
            queries=served["queries"],
            build_s=built["build_s"],
            save_s=built["save_s"],
            load_s=served["load_s"],
            retrieve_ms=Percentiles(**served["retrieve_ms"]),
            answer_ms=Percentiles(**answer_ms) if answer_ms else None,
            build_peak_mb=built["peak_mb"],
            serve_peak_mb=served["peak_mb"],
            index_mb=served["index_mb"],
            top=tuple(tuple((int(p), float(s)) for p, s in ranked) for ranked in served["top"]),
        )
