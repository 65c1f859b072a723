"""Command line: parse options, call the scan, print a report. Nothing else lives here.

Exit codes (the same in every format):
  0  no finding at or above warning (notes never fail)
  1  findings at or above warning
  2  usage, configuration or internal error
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Check that every API Gateway custom domain gets an ACM certificate that AWS "
    "validates by DNS and keeps renewing.\n\nExit codes: 0 clean (notes only), "
    "1 findings at warning or error, 2 usage or internal error.",
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    text = "text"
    json = "json"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"iaccert {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """iaccert: certificate checks for API Gateway custom domains."""


def _split_var(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise typer.BadParameter(f"expected NAME=VALUE, got {text!r}", param_hint="--var")
    return name.strip(), value


@app.command()
def lint(
    paths: list[Path] = typer.Argument(None, help="Files or directories to scan (default: .)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f", help="Output format."),
    output_file: Path | None = typer.Option(
        None, "--output-file", "-o", help="Write the report to this file instead of stdout."
    ),
    var: list[str] = typer.Option(
        [], "--var", help="Set a root Terraform variable, NAME=VALUE (repeatable)."
    ),
    var_file: list[Path] = typer.Option(
        [], "--var-file", help="Read Terraform variable values from a .tfvars file (repeatable)."
    ),
    plan: list[Path] = typer.Option(
        [],
        "--plan",
        help="A `terraform show -json` plan to analyse; the scanned sources then give locations.",
    ),
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even with findings."),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Do not read or write the parse cache (see README)."
    ),
    no_prefilter: bool = typer.Option(
        False,
        "--no-prefilter",
        help="Parse every Terraform module, not only those that can hold an API Gateway domain.",
    ),
) -> None:
    """Scan Terraform code and report every domain whose certificate chain is not sound."""
    from .cache import default_cache_dir
    from .findings import fails
    from .scan import scan
    from .terraform import TfOptions

    paths = paths or [Path(".")]
    missing = [str(p) for p in paths if not p.exists()]
    missing += [str(p) for p in [*var_file, *plan] if not p.is_file()]
    if missing:
        typer.echo(f"iaccert: no such file or directory: {', '.join(missing)}", err=True)
        raise typer.Exit(EXIT_ERROR)
    options = TfOptions(
        var_files=list(var_file),
        variables=[_split_var(v) for v in var],
        prefilter=not no_prefilter,
        cache_dir=None if no_cache else default_cache_dir(),
    )
    result = scan(paths, options, plans=list(plan))
    if fmt is Format.json:
        from .report.json import render
    else:
        from .report.text import render
    text = render(result)
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if not exit_zero and fails(result.findings):
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def rule(
    code: str = typer.Argument(None, help="Rule code (IAC101) or name (email-validation)."),
    all_rules: bool = typer.Option(False, "--all", help="List every rule."),
) -> None:
    """Explain a rule: what it checks, why, an example and the fix."""
    from .catalog import find_rule, rules

    if all_rules or not code:
        for r in rules().values():
            typer.echo(f"{r.id}  {r.name:<34} {r.severity:<8} {r.summary}")
        return
    found = find_rule(code)
    if found is None:
        typer.echo(f"iaccert: unknown rule {code!r} (see iaccert rule --all)", err=True)
        raise typer.Exit(EXIT_ERROR)
    typer.echo(f"# {found.id} {found.name} ({found.severity})\n\n{found.summary}\n")
    typer.echo(found.doc_text)


def main() -> None:
    """Console entry point; an unexpected error is one line and exit 2, never a traceback."""
    try:
        app(standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except typer.Abort:
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # noqa: BLE001 - last resort: report, never a traceback
        if isinstance(exc, typer.TyperException) and hasattr(exc, "show"):
            exc.show()  # usage errors: typer's own message
            sys.exit(EXIT_ERROR)
        typer.echo(f"iaccert: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_CLEAN)
