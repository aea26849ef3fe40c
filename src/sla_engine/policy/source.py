"""Policy text to plain data, with the line and column of every key and value.

Three syntaxes give the same data: YAML (a small composer over PyYAML's event stream, YAML 1.2
core schema), JSON and TOML. Numbers are ``int`` or ``Decimal``, never ``float``. Duplicate keys
are refused at their second occurrence; nesting depth, alias expansion and document size are
bounded, so a "billion laughs" document is refused at once with bounded memory.

Positions are 1-based ``(line, column)``, columns counted in characters, kept in a
:class:`PositionMap` keyed by the path of the key from the top of the document
(``("tiers", "premium", "targets")``; list items by index).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal

from sla_engine.errors import PolicyError, PolicyProblem

__all__ = [
    "MAX_DECIMALS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_MAGNITUDE",
    "MAX_NODES",
    "MAX_TEXT",
    "Format",
    "Path",
    "Position",
    "PositionMap",
    "SourceDocument",
    "check_values",
    "format_path",
    "guess_format",
    "parse_text",
    "path_key",
]

Format = Literal["yaml", "json", "toml"]
Path = tuple[str | int, ...]

MAX_TEXT: Final = 2_000_000
"""Longest policy text read, in characters."""
MAX_NODES: Final = 100_000
"""Most keys and values a document may hold once aliases are expanded."""
MAX_DEPTH: Final = 64
"""Deepest nesting of mappings and lists."""
MAX_DIGITS: Final = 100
"""Longest run of digits a number in a policy may be written with."""
MAX_MAGNITUDE: Final = 30
"""Every number in a policy is below ``10**MAX_MAGNITUDE`` in size."""
MAX_DECIMALS: Final = 30
"""Most digits a number in a policy may have after the decimal point."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_LONG_NUMBER = re.compile(f"[0-9][0-9_]{{{MAX_DIGITS},}}")

_BARE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """A 1-based line and column in a policy text."""

    line: int
    column: int

    def __post_init__(self) -> None:
        if self.line < 1 or self.column < 1:
            raise ValueError(f"positions are 1-based, got {self.line}:{self.column}")


@dataclass(slots=True)
class PositionMap:
    """Where each key and value of a document was written, by path."""

    keys: dict[Path, Position] = field(default_factory=dict)
    values: dict[Path, Position] = field(default_factory=dict)

    def locate(self, path: Path, *, at: Literal["key", "value"] = "value") -> Position | None:
        """The position of ``path`` (its value, or its key), else of its nearest ancestor."""
        first, second = (self.values, self.keys) if at == "value" else (self.keys, self.values)
        probe = tuple(path)
        while True:
            found = first.get(probe) or second.get(probe)
            if found is not None:
                return found
            if not probe:
                return None
            probe = probe[:-1]


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceDocument:
    """Plain data read from a policy text, with positions."""

    data: Any
    positions: PositionMap
    source: str | None = None
    format: Format | None = None

    def problem(
        self,
        path: Path,
        message: str,
        *,
        severity: str = "error",
        at: Literal["key", "value"] = "value",
    ) -> PolicyProblem:
        """A problem at ``path``, located in this text as precisely as is known."""
        pos = self.positions.locate(path, at=at)
        return PolicyProblem(
            path=format_path(path),
            message=message,
            source=self.source,
            line=pos.line if pos else None,
            column=pos.column if pos else None,
            severity=severity,
        )


def path_key(key: object) -> str:
    """The path element for a mapping key: the key itself if text, else how it was written."""
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    if hasattr(key, "isoformat"):
        return str(key.isoformat())
    return str(key)


def format_path(path: Path) -> str:
    """``tiers.premium.targets.first_response.sev1``; list items as ``closed[2]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _BARE_KEY.fullmatch(part) or re.fullmatch(r"[0-9][0-9A-Za-z_\-]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out


def guess_format(name: str) -> Format | None:
    """The syntax a file name's suffix says, if any."""
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith(".json"):
        return "json"
    if lower.endswith(".toml"):
        return "toml"
    return None


def parse_text(text: str, *, format: Format = "yaml", source: str | None = None) -> SourceDocument:
    """Read policy text into plain data and positions; any syntax problem is a ``PolicyError``."""
    if not isinstance(text, str):
        raise PolicyError(
            [PolicyProblem(path="", message=f"expected text, got {type(text).__name__}")],
            source=source,
        )
    if len(text) > MAX_TEXT:
        _fail(
            source,
            None,
            f"the policy is {len(text):,} characters long; the most read is {MAX_TEXT:,}",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if m := _SURROGATE.search(text):
        _fail(
            source,
            _Lines(text).at(m.start()),
            f"the text holds a lone surrogate {m.group()!a}, which is not a character; "
            "save the file as UTF-8 text",
        )
    if m := _LONG_NUMBER.search(text):
        _fail(
            source,
            _Lines(text).at(m.start()),
            f"a run of more than {MAX_DIGITS} digits; numbers in a policy are below "
            f"10**{MAX_MAGNITUDE} with at most {MAX_DECIMALS} decimals (quote long text)",
        )
    if format not in ("yaml", "json", "toml"):  # pragma: no cover - Literal guards this
        raise PolicyError(
            [
                PolicyProblem(
                    path="", message=f"unknown format {format!r}; expected yaml, json or toml"
                )
            ],
            source=source,
        )
    if format == "yaml":
        doc = _YamlComposer(text, source).run()
    elif format == "json":
        doc = _load_json(text, source)
    else:
        doc = _load_toml(text, source)
    problems = check_values(doc)
    if problems:
        raise PolicyError(problems, source=source)
    return doc


def _number_problem(value: int | Decimal) -> str | None:
    """Why a number is out of the policy format's bounds, or ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if -(10**MAX_MAGNITUDE) < value < 10**MAX_MAGNITUDE:
            return None
        shown = "a number"
    else:
        if not value.is_finite():
            return f"{value} is not a finite number"
        exponent = value.as_tuple().exponent
        assert isinstance(exponent, int)
        if -MAX_DECIMALS <= exponent <= MAX_MAGNITUDE and value.adjusted() < MAX_MAGNITUDE:
            return None
        shown = f"{value:.6g}" if abs(value.adjusted()) < 10**6 else "a number"
    return (
        f"{shown} is out of bounds: numbers in a policy are below 10**{MAX_MAGNITUDE} in size "
        f"with at most {MAX_DECIMALS} decimals"
    )


def check_values(doc: SourceDocument) -> list[PolicyProblem]:
    """Every number out of bounds and every text holding a lone surrogate, located; one pass
    over the data, without recursion."""
    problems: list[PolicyProblem] = []
    stack: list[tuple[Path, Any]] = [((), doc.data)]
    seen: set[int] = set()  # containers met before (shared, or a cycle given through the API)
    while stack:
        path, value = stack.pop()
        if isinstance(value, (Mapping, list, tuple)):
            if id(value) in seen:
                continue
            seen.add(id(value))
        if isinstance(value, Mapping):
            for key, item in value.items():
                message = _scalar_problem(key)
                if message is not None:
                    shown = "?" if isinstance(key, (int, Decimal)) else path_key(key)
                    problems.append(doc.problem((*path, shown), message, at="key"))
                    continue
                stack.append(((*path, path_key(key)), item))
        elif isinstance(value, (list, tuple)):
            stack.extend(((*path, i), item) for i, item in enumerate(value))
        else:
            message = _scalar_problem(value)
            if message is not None:
                problems.append(doc.problem(path, message))
    problems.reverse()
    return problems


def _scalar_problem(value: object) -> str | None:
    if isinstance(value, str):
        if m := _SURROGATE.search(value):
            return (
                f"the text holds a lone surrogate {m.group()!a}, which is not a "
                "character; write the character itself"
            )
        return None
    if isinstance(value, (int, Decimal)):
        return _number_problem(value)
    return None


def _fail(source: str | None, where: Position | None, message: str) -> None:
    raise PolicyError(
        [
            PolicyProblem(
                path="",
                message=message,
                source=source,
                line=where.line if where else None,
                column=where.column if where else None,
            )
        ],
        source=source,
    )


class _Entries:
    """Positions as they are recorded, in order, so an anchor's share is a slice."""

    __slots__ = ("items", "source")

    def __init__(self, source: str | None) -> None:
        self.items: list[tuple[Path, Position | None, Position]] = []
        self.source = source

    def add(self, path: Path, key: Position | None, value: Position) -> None:
        self.reserve(1, value)
        self.items.append((path, key, value))

    def reserve(self, count: int, where: Position) -> None:
        if len(self.items) + count > MAX_NODES:
            _fail(
                self.source,
                where,
                f"the policy holds more than {MAX_NODES:,} keys and values (counting each "
                "alias expansion); refusing it, as a YAML alias bomb would be",
            )

    def to_map(self) -> PositionMap:
        out = PositionMap()
        for path, key, value in self.items:
            if key is not None:
                out.keys.setdefault(path, key)
            out.values.setdefault(path, value)
        return out


_FLOW_TOKEN = re.compile(r"[\n\"'#\[\]{}]")
_DOUBLE_QUOTED_END = re.compile(r'(?:[^"\\\n]|\\[^\n])*"?')
_SINGLE_QUOTED_END = re.compile(r"[^'\n]*'?")


def _guard_flow_depth(text: str, source: str | None) -> None:
    """Refuse bracket nesting far past `MAX_DEPTH` before a parser sees it, located.

    Parsers (PyYAML's scanner, tomllib) recurse or bound nesting themselves, with their own
    messages that change between releases; this linear pre-scan acts first, so the refusal is
    ours on every install. Quoted strings and comments are skipped; a bracket inside a plain
    scalar still counts, which the slack of four times the bound absorbs.
    """
    depth, line, line_start, skip_to = 0, 1, 0, 0
    for m in _FLOW_TOKEN.finditer(text):
        i = m.start()
        c = text[i]
        if c == "\n":
            line, line_start = line + 1, i + 1
        elif i < skip_to:
            continue
        elif c in "\"'":  # a quoted string ends at its quote or, for this scan, the line's end
            closing = _DOUBLE_QUOTED_END if c == '"' else _SINGLE_QUOTED_END
            end = closing.match(text, i + 1)
            skip_to = end.end() if end else i + 1
        elif c == "#":
            if i == line_start or text[i - 1] in " \t":
                newline = text.find("\n", i)
                skip_to = len(text) if newline < 0 else newline
        elif c in "[{":
            depth += 1
            if depth > 4 * MAX_DEPTH:
                where = Position(line=line, column=i - line_start + 1)
                _fail(source, where, f"the policy nests deeper than {MAX_DEPTH} levels")
        else:
            depth = max(0, depth - 1)


# ----------------------------------------------------------------------------------------- YAML

_YAML_NULL = re.compile(r"~|null|Null|NULL|")
_YAML_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_YAML_BOOL["FALSE"] = False
_YAML_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_YAML_SPECIAL = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_TAG = "tag:yaml.org,2002:"


def _mark(mark: Any) -> Position:
    return Position(line=mark.line + 1, column=mark.column + 1)


@dataclass(slots=True)
class _Frame:
    container: dict[Any, Any] | list[Any]
    path: Path
    anchor: str | None
    start: int
    mark: Position
    key: Any = None
    key_pos: Position | None = None
    has_key: bool = False
    key_marks: dict[Any, Position] = field(default_factory=dict)
    merges: list[tuple[Any, Path, int, int]] = field(default_factory=list)


class _YamlComposer:
    """Builds plain data from PyYAML's (iterative) event stream: no recursion, no blow-up."""

    def __init__(self, text: str, source: str | None) -> None:
        self.text = text
        self.source = source
        self.entries = _Entries(source)
        self.anchors: dict[str, tuple[Any, Path, int, int]] = {}
        self.open_anchors: set[str] = set()
        self.problems: list[PolicyProblem] = []

    def run(self) -> SourceDocument:
        import yaml

        _guard_flow_depth(self.text, self.source)  # before PyYAML's own, version-dependent bound
        loader_class = getattr(yaml, "CBaseLoader", None) or yaml.BaseLoader
        loader = loader_class(self.text)
        try:
            root = self._compose(loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = " ".join(str(p) for p in (exc.context, exc.problem) if p) or "bad YAML"
            _fail(self.source, _mark(mark) if mark else None, f"YAML syntax: {problem}")
            raise  # pragma: no cover - _fail raises
        except yaml.YAMLError as exc:
            _fail(self.source, None, f"YAML syntax: {exc}")
            raise  # pragma: no cover
        finally:
            loader.dispose()
        if self.problems:
            raise PolicyError(self.problems, source=self.source)
        return SourceDocument(
            data=root, positions=self.entries.to_map(), source=self.source, format="yaml"
        )

    def _events(self, loader: Any) -> Iterator[Any]:
        while True:
            event = loader.get_event()
            if event is None:  # pragma: no cover - the stream always ends with StreamEnd
                return
            yield event

    def _compose(self, loader: Any) -> Any:
        import yaml

        stack: list[_Frame] = []
        root: Any = None
        have_root = False
        for event in self._events(loader):
            if isinstance(event, yaml.StreamEndEvent):
                break
            if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, yaml.DocumentStartEvent):
                if have_root:
                    _fail(
                        self.source,
                        _mark(event.start_mark),
                        "a policy file holds one YAML document; remove the second '---' "
                        "and what follows, or put each policy version in its own file",
                    )
                continue
            pos = _mark(event.start_mark)
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                if isinstance(frame.container, dict):
                    self._apply_merges(frame)
                value = frame.container
                if frame.anchor is not None:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (
                        value,
                        frame.path,
                        frame.start,
                        len(self.entries.items),
                    )
                if not stack:
                    root, have_root = value, True
                else:
                    self._place(stack[-1], value, pos, frame.path, is_container=True)
                continue
            if stack and isinstance(stack[-1].container, dict) and not stack[-1].has_key:
                self._take_key(stack[-1], event, pos)
                continue
            path = self._child_path(stack)
            if isinstance(event, yaml.AliasEvent):
                value = self._alias(str(event.anchor), path, pos, stack)
                if not stack:
                    root, have_root = value, True
                else:
                    self._place(stack[-1], value, pos, path, is_container=False, recorded=True)
                continue
            if isinstance(event, yaml.ScalarEvent):
                value = self._scalar(event, pos)
                if not stack:
                    self.entries.add((), None, pos)
                    root, have_root = value, True
                else:
                    self._place(stack[-1], value, pos, path, is_container=False)
                if event.anchor is not None:
                    start = len(self.entries.items) - 1
                    self.anchors[event.anchor] = (value, path, start, start + 1)
                continue
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    _fail(self.source, pos, f"the policy nests deeper than {MAX_DEPTH} levels")
                tag = event.tag
                is_map = isinstance(event, yaml.MappingStartEvent)
                expected = _TAG + ("map" if is_map else "seq")
                if tag not in (None, "!", expected):
                    _fail(self.source, pos, f"the YAML tag {tag!r} is not allowed in a policy")
                key_pos = (
                    stack[-1].key_pos if stack and isinstance(stack[-1].container, dict) else None
                )
                if stack:
                    self.entries.add(path, key_pos, pos)
                else:
                    self.entries.add((), None, pos)
                frame = _Frame(
                    container={} if is_map else [],
                    path=path,
                    anchor=event.anchor,
                    start=len(self.entries.items) - 1,
                    mark=pos,
                )
                if event.anchor is not None:
                    self.open_anchors.add(event.anchor)
                stack.append(frame)
                continue
        if not have_root:
            _fail(
                self.source,
                Position(line=1, column=1),
                "the policy is empty; expected a mapping that starts with 'format_version: 1'",
            )
        return root

    def _child_path(self, stack: list[_Frame]) -> Path:
        if not stack:
            return ()
        top = stack[-1]
        if isinstance(top.container, dict):
            return (*top.path, path_key(top.key))
        return (*top.path, len(top.container))

    def _take_key(self, frame: _Frame, event: Any, pos: Position) -> None:
        import yaml

        if isinstance(event, yaml.ScalarEvent):
            if event.value == "<<" and event.tag is None and event.implicit[0]:
                key: Any = _MergeKey
            else:
                key = self._scalar(event, pos)
        elif isinstance(event, yaml.AliasEvent):
            anchored = self.anchors.get(str(event.anchor))
            key = anchored[0] if anchored else None
            if anchored is None or isinstance(key, (dict, list)):
                _fail(self.source, pos, "a key must be text, not an alias to a list or mapping")
        else:
            _fail(self.source, pos, "a key must be text, not a list or mapping")
        frame.key, frame.key_pos, frame.has_key = key, pos, True

    def _place(
        self,
        frame: _Frame,
        value: Any,
        pos: Position,
        path: Path,
        *,
        is_container: bool,
        recorded: bool = False,
    ) -> None:
        container = frame.container
        if isinstance(container, list):
            if not is_container and not recorded:
                self.entries.add(path, None, pos)
            container.append(value)
            return
        key, key_pos = frame.key, frame.key_pos
        frame.has_key = False
        assert key_pos is not None
        if not is_container and not recorded:
            self.entries.add(path, key_pos, pos)
        if key is _MergeKey:
            frame.merges.append((value, path, 0, 0))
            return
        try:
            first = frame.key_marks.get(key)
        except TypeError:
            _fail(self.source, key_pos, "a key must be text")
            return  # pragma: no cover
        if first is not None:
            self.problems.append(
                PolicyProblem(
                    path=format_path(path),
                    message=(
                        f"duplicate key {path_key(key)!r} (first given at line {first.line}, "
                        f"column {first.column}); remove one of them"
                    ),
                    source=self.source,
                    line=key_pos.line,
                    column=key_pos.column,
                )
            )
            return
        frame.key_marks[key] = key_pos
        container[key] = value

    def _alias(self, anchor: str, path: Path, pos: Position, stack: list[_Frame]) -> Any:
        if anchor in self.open_anchors:
            _fail(self.source, pos, f"the alias *{anchor} refers to a node that contains it")
        found = self.anchors.get(anchor)
        if found is None:  # pragma: no cover - the parser refuses undefined aliases
            _fail(self.source, pos, f"the alias *{anchor} is not defined")
            raise AssertionError
        value, base, start, end = found
        key_pos = stack[-1].key_pos if stack and isinstance(stack[-1].container, dict) else None
        n = len(base)
        items = self.entries.items
        self.entries.reserve(end - start, pos)
        for i in range(start, end):
            sub, k, v = items[i]
            rest = sub[n:]
            if rest:
                self.entries.add((*path, *rest), k, v)
            else:
                self.entries.add(path, key_pos, pos)
        return value

    def _apply_merges(self, frame: _Frame) -> None:
        container = frame.container
        assert isinstance(container, dict)
        for value, merge_path, _, _ in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    _fail(
                        self.source,
                        self.entries.to_map().locate(merge_path),
                        "a merge key '<<' takes an alias to a mapping, or a list of them",
                    )
                for key, item in source.items():
                    if key not in container:
                        container[key] = item
        if frame.merges:
            # Merged keys are located where the merged mapping wrote them.
            prefix = (*frame.path, "<<")
            n = len(prefix)
            moved: list[tuple[Path, Position | None, Position]] = []
            for p, k, v in self.entries.items[frame.start :]:
                if len(p) > n and p[:n] == prefix:
                    rest = p[n + 1 :] if isinstance(p[n], int) else p[n:]
                    if rest:
                        moved.append(((*frame.path, *rest), k, v))
            for p, k, v in moved:
                self.entries.add(p, k, v)

    def _scalar(self, event: Any, pos: Position) -> Any:
        value: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            if tag is None and event.implicit[0]:
                return self._resolve(value, pos)
            return value
        if tag == _TAG + "str":
            return value
        if tag in (_TAG + "int", _TAG + "float", _TAG + "bool", _TAG + "null"):
            resolved = self._resolve(value, pos)
            kind = tag[len(_TAG) :]
            ok = {
                "int": isinstance(resolved, int) and not isinstance(resolved, bool),
                "float": isinstance(resolved, (int, Decimal)) and not isinstance(resolved, bool),
                "bool": isinstance(resolved, bool),
                "null": resolved is None,
            }[kind]
            if not ok:
                _fail(self.source, pos, f"{value!r} is not a YAML {kind}")
            if kind == "float" and isinstance(resolved, int):
                return Decimal(resolved)
            return resolved
        _fail(self.source, pos, f"the YAML tag {tag!r} is not allowed in a policy")
        raise AssertionError  # pragma: no cover

    def _resolve(self, value: str, pos: Position) -> Any:
        if _YAML_NULL.fullmatch(value):
            return None
        if value in _YAML_BOOL:
            return _YAML_BOOL[value]
        if _YAML_INT.fullmatch(value):
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        if _YAML_FLOAT.fullmatch(value):
            try:
                return Decimal(value)
            except InvalidOperation:  # pragma: no cover - the regex admits only numbers
                return value
        if _YAML_SPECIAL.fullmatch(value):
            _fail(self.source, pos, f"{value!r} is not a finite number; quote it if it is text")
        return value


class _MergeKeyType:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<<"


_MergeKey: Final = _MergeKeyType()


# ----------------------------------------------------------------------------------------- JSON

_JSON_WS = re.compile(r"[ \t\n\r]*")
_JSON_ATOM = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


class _Lines:
    """Offset to 1-based line and column."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def at(self, offset: int) -> Position:
        i = bisect.bisect_right(self.starts, offset) - 1
        return Position(line=i + 1, column=offset - self.starts[i] + 1)


class _BadNumber(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(f"{text[:40]} is not a number a policy can hold")
        self.text = text


def _json_decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _BadNumber(text) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a policy can hold")


def _load_json(text: str, source: str | None) -> SourceDocument:
    lines = _Lines(text)
    entries, problems = _scan_json(text, lines, source)
    try:
        data = json.loads(
            text,
            parse_float=_json_decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_first_wins,
        )
    except json.JSONDecodeError as exc:
        _fail(source, Position(line=exc.lineno, column=exc.colno), f"JSON syntax: {exc.msg}")
    except _BadNumber as exc:
        at = text.find(exc.text)
        _fail(
            source,
            lines.at(at) if at >= 0 else None,
            f"{exc.text[:40]} is out of bounds: numbers in a policy are below "
            f"10**{MAX_MAGNITUDE} in size with at most {MAX_DECIMALS} decimals",
        )
    except ValueError as exc:
        _fail(source, None, f"JSON: {exc}")
    except RecursionError:
        _fail(source, None, f"the policy nests deeper than {MAX_DEPTH} levels")
    if problems:
        raise PolicyError(problems, source=source)
    return SourceDocument(data=data, positions=entries.to_map(), source=source, format="json")


def _first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        out.setdefault(key, value)
    return out


def _scan_json(
    text: str, lines: _Lines, source: str | None
) -> tuple[_Entries, list[PolicyProblem]]:
    """Positions of every key and value, and duplicate keys; stops quietly at bad syntax."""
    entries = _Entries(source)
    problems: list[PolicyProblem] = []
    # Each frame: [path, is_object, next index or current key, seen keys, key position]
    stack: list[list[Any]] = []
    i = _JSON_WS.match(text, 0).end()  # type: ignore[union-attr]
    n = len(text)
    expect_value = True
    while i < n:
        c = text[i]
        if expect_value:
            if stack:
                top = stack[-1]
                if top[1]:
                    path: Path = (*top[0], top[2])
                    key_pos = top[4]
                else:
                    path = (*top[0], top[2])
                    key_pos = None
            else:
                path, key_pos = (), None
            if c in "{[":
                if len(stack) >= MAX_DEPTH:
                    _fail(source, lines.at(i), f"the policy nests deeper than {MAX_DEPTH} levels")
                entries.add(path, key_pos, lines.at(i))
                stack.append([path, c == "{", 0, {}, None])
                i = _JSON_WS.match(text, i + 1).end()  # type: ignore[union-attr]
                if i < n and text[i] in "}]":
                    stack.pop()
                    i += 1
                    expect_value = False
                elif c == "{":
                    i = _json_key(text, i, stack[-1], lines, problems, source)
                    if i < 0:
                        break
                continue
            if c == '"':
                try:
                    _, end = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                except ValueError:
                    break
                entries.add(path, key_pos, lines.at(i))
                i = end
            else:
                m = _JSON_ATOM.match(text, i)
                if not m:
                    break
                entries.add(path, key_pos, lines.at(i))
                i = m.end()
            expect_value = False
            if not stack:
                break
            continue
        i = _JSON_WS.match(text, i).end()  # type: ignore[union-attr]
        if i >= n or not stack:
            break
        c = text[i]
        top = stack[-1]
        if c == ",":
            i = _JSON_WS.match(text, i + 1).end()  # type: ignore[union-attr]
            if top[1]:
                i = _json_key(text, i, top, lines, problems, source)
                if i < 0:
                    break
            else:
                top[2] += 1
            expect_value = True
        elif c in "}]":
            stack.pop()
            i += 1
        else:
            break
        if expect_value:
            continue
    return entries, problems


def _json_key(
    text: str,
    i: int,
    frame: list[Any],
    lines: _Lines,
    problems: list[PolicyProblem],
    source: str | None,
) -> int:
    """Read ``"key" :`` at ``i``; returns the offset of the value, or -1 at bad syntax."""
    if i >= len(text) or text[i] != '"':
        return -1
    try:
        key, end = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
    except ValueError:
        return -1
    pos = lines.at(i)
    seen: dict[str, Position] = frame[3]
    if key in seen:
        first = seen[key]
        problems.append(
            PolicyProblem(
                path=format_path((*frame[0], key)),
                message=(
                    f"duplicate key {key!r} (first given at line {first.line}, column "
                    f"{first.column}); remove one of them"
                ),
                source=source,
                line=pos.line,
                column=pos.column,
            )
        )
    else:
        seen[key] = pos
    frame[2], frame[4] = key, pos
    j = _JSON_WS.match(text, end).end()  # type: ignore[union-attr]
    if j >= len(text) or text[j] != ":":
        return -1
    # The caller resumes in "expect a value" state.
    return _JSON_WS.match(text, j + 1).end()  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------------- TOML

_TOML_ERROR_AT = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_KEY_PART = re.compile(r'\s*(?:([A-Za-z0-9_\-]+)|"((?:[^"\\]|\\.)*)"|\'([^\']*)\')\s*')


def _load_toml(text: str, source: str | None) -> SourceDocument:
    import tomllib

    _guard_flow_depth(text, source)  # tomllib recurses on nested arrays and inline tables
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _TOML_ERROR_AT.search(message)
        where = Position(line=int(m.group(1)), column=int(m.group(2))) if m else None
        _fail(source, where, f"TOML syntax: {_TOML_ERROR_AT.sub('', message).strip()}")
    except RecursionError:
        _fail(source, None, f"the policy nests deeper than {MAX_DEPTH} levels")
    if _depth(data) > MAX_DEPTH:
        _fail(source, None, f"the policy nests deeper than {MAX_DEPTH} levels")
    return SourceDocument(data=data, positions=_scan_toml(text, data), source=source, format="toml")


def _depth(value: Any) -> int:
    best = 0
    stack = [(value, 0)]
    while stack:
        item, d = stack.pop()
        best = max(best, d)
        if isinstance(item, Mapping):
            stack.extend((v, d + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, d + 1) for v in item)
    return best


def _toml_keys(text: str, start: int) -> tuple[list[tuple[str, int]], int] | None:
    """Dotted key at ``start``: each part with its offset, and the offset after the key."""
    parts: list[tuple[str, int]] = []
    i = start
    while True:
        m = _TOML_KEY_PART.match(text, i)
        if not m or m.end() == i:
            return None
        raw = m.group(1) if m.group(1) is not None else m.group(3)
        if raw is None:
            try:
                raw = json.loads('"' + m.group(2) + '"')
            except ValueError:
                raw = m.group(2)
        offset = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        parts.append((str(raw), offset))
        i = m.end()
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return parts, i


def _scan_toml(text: str, data: Any) -> PositionMap:
    """Best effort: table headers and ``key = value`` lines; inner items of inline tables and
    arrays are located at the key that holds them."""
    out = PositionMap()
    out.values[()] = Position(line=1, column=1)
    table: Path = ()
    aot_index: dict[Path, int] = {}
    lines = text.splitlines()
    skip_until: str | None = None
    bracket_depth = 0
    for number, line in enumerate(lines, start=1):
        if skip_until is not None:
            if skip_until in line:
                skip_until = None
            continue
        if bracket_depth > 0:
            bracket_depth += _bracket_balance(line)
            continue
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            is_aot = stripped.startswith("[[")
            parsed = _toml_keys(line, indent + (2 if is_aot else 1))
            if parsed is None:
                continue
            parts, _ = parsed
            path: Path = ()
            for index, (name, offset) in enumerate(parts):
                path = (*path, name)
                if is_aot and index == len(parts) - 1:
                    aot_index[path] = aot_index.get(path, -1) + 1
                    out.keys.setdefault(path, Position(line=number, column=offset + 1))
                    out.values.setdefault(path, Position(line=number, column=indent + 1))
                    path = (*path, aot_index[path])
                elif path in aot_index:
                    path = (*path, aot_index[path])
            pos = Position(line=number, column=parts[-1][1] + 1)
            out.keys.setdefault(path, pos)
            out.values.setdefault(path, Position(line=number, column=indent + 1))
            table = path
            continue
        parsed = _toml_keys(line, indent)
        if parsed is None:
            continue
        parts, after = parsed
        rest = line[after:]
        if not rest.lstrip().startswith("="):
            continue
        equals = line.index("=", after)
        value_text = line[equals + 1 :].lstrip()
        value_col = len(line) - len(value_text) + 1
        path = table
        for name, offset in parts:
            path = (*path, name)
            out.keys.setdefault(path, Position(line=number, column=offset + 1))
            out.values.setdefault(path, Position(line=number, column=offset + 1))
        out.values[path] = Position(line=number, column=value_col)
        for quote in ('"""', "'''"):
            if value_text.startswith(quote) and value_text.count(quote) < 2:
                skip_until = quote
        if skip_until is None and value_text.startswith("["):
            bracket_depth = _bracket_balance(value_text)
    return out


def _bracket_balance(line: str) -> int:
    balance = 0
    quote: str | None = None
    for c in line:
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c == "#":
            break
        elif c == "[":
            balance += 1
        elif c == "]":
            balance -= 1
    return balance
