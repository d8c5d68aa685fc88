"""Statistics over runs and the results table (Markdown)."""

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the value below which `fraction` of `values` lie (nearest rank)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    """Return the median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


@dataclass
class Row:
    """One measure of one section: a value per backend, and the target it is held to."""

    section: str
    measure: str
    values: dict[str, str] = field(default_factory=dict)
    target: str = ""
    met: dict[str, bool | None] = field(default_factory=dict)


@dataclass
class Results:
    """Every measure taken, in the order taken, plus notes."""

    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    backends: list[str] = field(default_factory=list)

    def add(
        self,
        section: str,
        measure: str,
        backend: str,
        value: str,
        *,
        target: str = "",
        met: bool | None = None,
    ) -> None:
        """Record one value."""
        if backend not in self.backends:
            self.backends.append(backend)
        row = next(
            (row for row in self.rows if row.section == section and row.measure == measure), None
        )
        if row is None:
            row = Row(section, measure, target=target)
            self.rows.append(row)
        row.values[backend] = value
        row.met[backend] = met
        row.target = row.target or target

    def markdown(self, header: Sequence[str]) -> str:
        """Return the whole report: header lines, one table per section, then notes."""
        lines = [*header, ""]
        sections = list(dict.fromkeys(row.section for row in self.rows))
        for section in sections:
            rows = [row for row in self.rows if row.section == section]
            backends = [name for name in self.backends if any(name in row.values for row in rows)]
            lines += [f"### {section}", ""]
            lines.append("| measure | " + " | ".join(backends) + " | target |")
            lines.append("|---" * (len(backends) + 2) + "|")
            for row in rows:
                cells = []
                for backend in backends:
                    value = row.values.get(backend, "")
                    met = row.met.get(backend)
                    mark = "" if met is None or not value else (" ✓" if met else " ✗")
                    cells.append(value + mark)
                lines.append(f"| {row.measure} | " + " | ".join(cells) + f" | {row.target} |")
            lines.append("")
        if self.notes:
            lines += ["### Notes", ""] + [f"- {note}" for note in self.notes] + [""]
        return "\n".join(lines)


def ms(seconds: float) -> str:
    """Format seconds as milliseconds."""
    return f"{seconds * 1000:.1f} ms"


def per_second(value: float) -> str:
    """Format a rate."""
    return f"{value:,.0f}/s"
