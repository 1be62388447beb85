"""Scenario files: YAML checked against ``scenarios/schema/scenario.schema.json``.

A file holds a base day and named scenarios, each a list of changes (see the schema for
every change type); a file with ``name`` and ``changes`` at the top (what ``dispatch
forecast --scenario-out`` writes) is a set of one. Every problem is reported at once,
each naming the file, the line and the field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from dispatch.errors import FieldError, InputError

Json = dict[str, Any]
SCHEMA_PATH = Path(__file__).parent / "schema" / "scenario.schema.json"
MAX_BYTES = 1_000_000


class ScenarioError(InputError):
    """A scenario file or document that cannot be used; ``errors`` name line and field."""

    subject = "the scenarios"


@dataclass(frozen=True, slots=True)
class Scenario:
    """One named what-if: changes applied in order to a copy of the base."""

    name: str
    changes: tuple[Json, ...]
    description: str = ""
    likelihood: float | None = None
    per: str = "campaign"


@dataclass(frozen=True, slots=True)
class Contingency:
    """A measure taken ahead (changes on top of each scenario) and its fixed fee."""

    name: str
    changes: tuple[Json, ...]
    fee: float = 0.0


@dataclass(frozen=True, slots=True)
class ScenarioSet:
    """A parsed scenario file: the base, the scenarios and what sizing and promising may use."""

    name: str
    base: Json
    scenarios: tuple[Scenario, ...]
    folder: Path = Path(".")
    source: str = "<scenario>"
    description: str = ""
    contingencies: tuple[Contingency, ...] = ()
    offer: Json = field(default_factory=dict)
    promise: Json = field(default_factory=dict)
    solve: Json = field(default_factory=dict)

    def scenario(self, name: str) -> Scenario:
        """The scenario called ``name``."""
        for s in self.scenarios:
            if s.name == name:
                return s
        raise ScenarioError([FieldError(self.source, "scenario", f"no scenario {name!r}")])


@cache
def schema() -> Json:
    """The scenario file's JSON Schema."""
    data: Json = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return data


def read_scenarios(path: str | Path) -> ScenarioSet:
    """Read and check a scenario file; a request file named in it is relative to the file."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ScenarioError([FieldError(str(file), "", f"cannot read: {exc.strerror}")]) from exc
    if len(raw) > MAX_BYTES:
        raise ScenarioError([FieldError(str(file), "", f"over {MAX_BYTES:,} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([FieldError(str(file), "", "not UTF-8 text")]) from exc
    return parse_scenarios(text, source=str(file), folder=file.parent)


def parse_scenarios(
    text: str, *, source: str = "<scenario>", folder: Path | None = None
) -> ScenarioSet:
    """Parse scenario YAML (JSON is YAML too) and check it against the schema."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = plain_data(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([FieldError(source, "", f"{line}not valid YAML: {problem}")]) from exc
    lines = _lines(node) if node is not None else {}
    return check_scenarios(data, source=source, folder=folder, lines=lines)


def check_scenarios(
    data: Any,
    *,
    source: str = "<scenario>",
    folder: Path | None = None,
    lines: Mapping[tuple[Any, ...], int] | None = None,
) -> ScenarioSet:
    """A scenario document (already parsed) checked against the schema, as a typed set."""
    where = lines or {}
    errors = []
    for error in sorted(
        Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(map(str, e.path))
    ):
        path = tuple(error.absolute_path)
        errors.append(FieldError(source, _dotted(path), _at(where, path) + error.message))
    if isinstance(data, dict) and not errors:
        if "scenarios" in data and "changes" in data:
            errors.append(FieldError(source, "changes", "give either changes or scenarios"))
        if "scenarios" not in data and "changes" not in data:
            errors.append(FieldError(source, "scenarios", "no scenario: give changes or scenarios"))
        names = [s["name"] for s in data.get("scenarios", [])]
        for k, name in enumerate(names):
            if name in names[:k] or name == "baseline":
                msg = f"{_at(where, ('scenarios', k, 'name'))}name {name!r} is used twice"
                if name == "baseline":
                    msg = f"{_at(where, ('scenarios', k, 'name'))}'baseline' names the base day"
                errors.append(FieldError(source, f"scenarios[{k}].name", msg))
    if errors:
        raise ScenarioError(errors)
    assert isinstance(data, dict)
    if "scenarios" in data:
        scenarios = tuple(_scenario(s) for s in data["scenarios"])
    else:
        scenarios = (_scenario({**data, "name": data.get("name", "scenario")}),)
    return ScenarioSet(
        name=data.get("name", Path(source).stem),
        description=data.get("description", ""),
        base=data["base"],
        scenarios=scenarios,
        folder=folder or Path("."),
        source=source,
        contingencies=tuple(
            Contingency(c["name"], tuple(c["changes"]), float(c.get("fee", 0.0)))
            for c in data.get("contingencies", [])
        ),
        offer=data.get("offer", {}),
        promise=data.get("promise", {}),
        solve=data.get("solve", {}),
    )


def _scenario(doc: Json) -> Scenario:
    likely = doc.get("likelihood") or {}
    return Scenario(
        name=doc["name"],
        changes=tuple(doc.get("changes", [])),
        description=doc.get("description", ""),
        likelihood=likely.get("p"),
        per=likely.get("per", "campaign"),
    )


def plain_data(value: Any) -> Any:
    """YAML's dates as ISO text, as the schema and the request contract read them."""
    if isinstance(value, dict):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _lines(node: yaml.Node, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """The line (1-based) of every value in the document, by its path."""
    found = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            found.update(_lines(value, (*path, key.value)))
            found[(*path, key.value)] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for k, value in enumerate(node.value):
            found.update(_lines(value, (*path, k)))
    return found


def _at(lines: Mapping[tuple[Any, ...], int], path: Sequence[Any]) -> str:
    for end in range(len(path), -1, -1):
        line = lines.get(tuple(path[:end]))
        if line is not None:
            return f"line {line}: "
    return ""


def _dotted(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
