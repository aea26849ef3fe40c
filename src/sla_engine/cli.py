"""The ``sla-engine`` command: validate policies and print the policy JSON Schema.

Exit codes: 0 valid, 1 invalid, 2 usage (bad arguments, a file that cannot be read). A user's
mistake never shows a traceback. Each command imports only what it needs, so that
``sla-engine validate`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, TextIO

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors by raising, so ``main`` can return 2."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _problem_json(problem: Any) -> dict[str, Any]:
    return {
        "severity": problem.severity,
        "file": problem.source,
        "line": problem.line,
        "column": problem.column,
        "path": problem.path,
        "message": problem.message,
    }


def _problem_text(problem: Any) -> str:
    if problem.severity == "error":
        return str(problem)
    where = f"{problem.path}: " if problem.path else ""
    return f"{problem.location()}: {problem.severity}: {where}{problem.message}"


def _validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json
    import os

    from sla_engine.policy.lint import lint_policy_set
    from sla_engine.policy.load import _validate as validate

    reports: list[dict[str, Any]] = []
    checked = []
    code = EXIT_OK
    for name in args.files:
        try:
            validation, pair = validate(name, text=None, format=None, name=None)
        except OSError as exc:
            print(f"error: cannot read {name}: {exc.strerror or exc}", file=err)
            reports.append({"file": name, "valid": False, "error": str(exc.strerror or exc)})
            code = max(code, EXIT_USAGE)
            continue
        problems = list(validation.problems)
        errors = [p for p in problems if p.severity == "error"]
        if strict_fail := (args.strict and problems and not errors):
            errors = problems
        valid = validation.policy is not None and not strict_fail
        if valid and pair is not None:
            checked.append((pair, len(reports)))
        reports.append(
            {
                "file": os.fspath(name),
                "valid": valid,
                "name": validation.policy.name if validation.policy else None,
                "version": validation.policy.version if validation.policy else None,
                "problems": problems,
            }
        )
        if not valid:
            code = max(code, EXIT_INVALID)
    for problem in lint_policy_set([pair for pair, _ in checked]):
        for pair, index in checked:
            if pair[1].source == problem.source:
                reports[index]["problems"].append(problem)
                reports[index]["valid"] = False
        code = max(code, EXIT_INVALID)
    if args.format == "json":
        for report in reports:
            if "problems" in report:
                report["problems"] = [_problem_json(p) for p in report["problems"]]
        doc = {"valid": code == EXIT_OK, "files": reports}
        print(json.dumps(doc, indent=2, ensure_ascii=False), file=out)
        return code
    for report in reports:
        if "problems" not in report:
            continue
        problems = report["problems"]
        n_errors = sum(1 for p in problems if p.severity == "error")
        n_warnings = len(problems) - n_errors
        if report["valid"]:
            extra = f", {n_warnings} warning{'s' * (n_warnings != 1)}" if n_warnings else ""
            print(
                f"{report['file']}: valid ({report['name']} {report['version']}{extra})", file=out
            )
        else:
            count = n_errors or len(problems)
            print(f"{count} error{'s' * (count != 1)} in {report['file']}", file=out)
        for problem in problems:
            print(f"  {_problem_text(problem)}", file=out)
    return code


def _schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import json

    from sla_engine.policy.schema import FORMAT_VERSION, PolicySpec

    schema = PolicySpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://sla-engine.invalid/policy-format-{FORMAT_VERSION}.schema.json"
    print(json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False), file=out)
    return EXIT_OK


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sla-engine",
        description="Check SLA policies and export their JSON Schema.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    validate = commands.add_parser(
        "validate",
        help="check policy files (YAML, JSON or TOML)",
        description="Check policy files; exit 0 when all are valid, 1 when any is not.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="policy files")
    validate.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format"
    )
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(run=_validate)
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the policy format",
        description="Print the JSON Schema of the policy format, for editors and CI.",
    )
    schema.set_defaults(run=_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sla-engine`` with ``argv`` (default: the process's arguments); return the exit code."""
    from sla_engine.errors import SLAEngineError

    out, err = sys.stdout, sys.stderr
    parser = _build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as exc:
        print(f"sla-engine: error: {exc}", file=err)
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    if args.version:
        import sla_engine

        print(f"sla-engine {sla_engine.__version__}", file=out)
        return EXIT_OK
    if args.command is None:
        parser.print_help(err)
        return EXIT_USAGE
    try:
        code: int = args.run(args, out, err)
    except SLAEngineError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_INVALID
    except BrokenPipeError:  # the reader went away (| head): stop quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INVALID
    except OSError as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    return code


# Round two registers these next to validate and schema:
#   render POLICY --format markdown|html   the public support, pricing and SLA table
#   diff OLD NEW                           what got stricter or looser, credit changes
#   evaluate --policy P --tickets F --as-of T    ticket clocks as JSON
#   credit --policy P --incidents F --period ... --fee ...    service credits as JSON


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
