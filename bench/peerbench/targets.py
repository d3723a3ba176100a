"""The speed and size targets, each judged from numbers of the same run.

A target against another tool is a ratio of two medians measured side by side, so a loaded
machine slows both; only the targets that have no counterpart are in seconds or MB.
"""

from __future__ import annotations

from dataclasses import dataclass

from peerbench.measure import REFERENCE, Results, format_value


@dataclass(frozen=True)
class Target:
    name: str
    measured: float | None  # a ratio where unit is "x"
    limit: float
    unit: str  # "x", "s" or "MB"
    detail: str = ""  # the numbers a ratio or a difference comes from

    @property
    def met(self) -> bool | None:
        return None if self.measured is None else self.measured <= self.limit

    def row(self) -> str:
        limit = f"<= {self.limit:g}x" if self.unit == "x" else f"<= {self.limit:g} {self.unit}"
        if self.measured is None:
            return f"| {self.name} | not measured | {limit} | not measured |"
        measured = (f"{self.measured:.2f}x" if self.unit == "x"
                    else amount(self.measured, self.unit))
        if self.detail:
            measured += f" ({self.detail})"
        return f"| {self.name} | {measured} | {limit} | {'yes' if self.met else 'NO'} |"


def amount(value: float, unit: str = "s") -> str:
    return f"{format_value(value, unit)} {unit}"


def relative(name: str, ours: float | None, theirs: float | None, limit: float,
             unit: str = "s") -> Target:
    if ours is None or theirs is None or theirs <= 0:
        return Target(name, None, limit, "x")
    return Target(name, ours / theirs, limit, "x",
                  f"{amount(ours, unit)} / {amount(theirs, unit)}")


def difference(name: str, ours: float | None, baseline: float | None, limit: float) -> Target:
    if ours is None or baseline is None:
        return Target(name, None, limit, "s")
    return Target(name, ours - baseline, limit, "s",
                  f"{amount(ours)} collecting one, {amount(baseline)} collecting none")


def targets(results: Results, small: str, big: str) -> list[Target]:
    """Every target, on the small shelf (blog, or a custom workload) and on the big one."""

    def pyshelf(workload: str, row: str) -> float | None:
        return results.number((workload, "pyshelf", row))

    def peer(workload: str, column: str, row: str) -> float | None:
        return results.number((workload, column, row))

    both = (small, big)
    return [
        relative(f"remove one package, {small}: pyshelf / uv tool uninstall",
                 pyshelf(small, "remove-one"), peer(small, "uv-tool", "remove-one"), 4),
        relative(f"remove one package: {big} / {small}",
                 pyshelf(big, "remove-one"), pyshelf(small, "remove-one"), 1.2),
        relative(f"install one new package, {small}: pyshelf / uv tool install",
                 pyshelf(small, "install-one"), peer(small, "uv-tool", "install-one"), 2.5),
        relative(f"install one new package: {big} / {small}",
                 pyshelf(big, "install-one"), pyshelf(small, "install-one"), 1.2),
        *(Target(f"role change only, {name}", pyshelf(name, "role"), 0.2, "s") for name in both),
        *(Target(f"undo, {name}", pyshelf(name, "undo"), 0.15, "s") for name in both),
        *(Target(f"rollback, {name}", pyshelf(name, "rollback"), 0.15, "s") for name in both),
        Target(f"disk per kept generation, {big}", pyshelf(big, "generation-disk"), 1, "MB"),
        *(difference(f"gc of one generation (what it adds to gc), {name}",
                     pyshelf(name, "gc-one"), pyshelf(name, "gc-none"), 0.05) for name in both),
        Target(f"status, {big}", pyshelf(big, "status"), 0.3, "s"),
        *(relative(f"list, {name}: pyshelf / py-trkpac", pyshelf(name, "list"),
                   peer(name, "py-trkpac", "list"), 0.7) for name in both),
        relative(f"install into an empty setup, {small}: pyshelf / uv tool",
                 pyshelf(small, "install"), peer(small, "uv-tool", "install"), 1.0),
        relative(f"install into an empty setup, {small}: pyshelf / pipx (pip)",
                 pyshelf(small, "install"), peer(small, "pipx-pip", "install"), 0.2),
        relative(f"disk added by the install, {small}: pyshelf / pipx (pip)",
                 pyshelf(small, "disk"), peer(small, "pipx-pip", "disk"), 0.3, "MB"),
        *(relative(f"rebuild for a new Python, {name}: pyshelf / uv venv + uv pip sync",
                   pyshelf(name, "rebuild"), peer(name, REFERENCE, "rebuild"), 1.2)
          for name in both),
    ]


def targets_section(results: Results, small: str, big: str) -> list[str]:
    rows = targets(results, small, big)
    verdicts = [target.met for target in rows]
    summary = (f"{verdicts.count(True)} met, {verdicts.count(False)} missed, "
               f"{verdicts.count(None)} not measured.")
    return ["## Targets", "",
            "Each measured in this run; a ratio is of two medians measured side by side. "
            "gc of one generation is what collecting it adds to a `pyshelf gc` that collects "
            "nothing (a start of pyshelf alone takes longer than the target).", "",
            "| target | measured | limit | met? |", "|---|---:|---:|---|",
            *(target.row() for target in rows), "", summary, ""]
