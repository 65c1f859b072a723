"""Command line: parse options, call the scan, print a report. Nothing else lives here.

Exit codes (the same in every format):
  0  no finding at or above warning (notes never fail)
  1  findings at or above warning
  2  usage, configuration or internal error; live mode: also checks that could not be made
     (unless --allow-incomplete)
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path

import typer

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Check that every API Gateway custom domain, CloudFront distribution, load balancer "
    "listener and other ACM certificate consumer gets a certificate that AWS "
    "validates by DNS and keeps renewing.\n\nExit codes: 0 clean (notes only), "
    "1 findings at warning or error (--fail-on), 2 usage, configuration or internal error "
    "(live mode: also checks that could not be made, unless --allow-incomplete).",
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Format(str, Enum):
    """``lint --format``: one module per value in src/iaccert/report/."""

    text = "text"
    concise = "concise"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"
    gitlab = "gitlab"


FORMAT_HELP = (
    "Output format: text (findings with code frames), concise (one line each), json, "
    "sarif (GitHub code scanning), github (Actions annotations), junit (XML test report), "
    "gitlab (GitLab Code Quality). Default: $IACCERT_FORMAT, else text."
)
OUTPUT_HELP = (
    "FORMAT:FILE writes that format to FILE as well (repeatable: -o sarif:iaccert.sarif "
    "-o junit:report.xml); a bare FILE writes the --format report there instead of stdout."
)


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    note = "note"


#: ``--help`` panels: options grouped by what they are about.
PANEL_OUTPUT, PANEL_RULES, PANEL_LIVE, PANEL_FIX = "Output", "Rules", "Live", "Fixes"
PANEL_TERRAFORM, PANEL_CLOUDFORMATION = "Terraform", "CloudFormation"

SELECT_HELP = "Report only these rules: codes, prefixes (IAC1) or names (comma list, repeatable)."
IGNORE_HELP = "Leave out these rules: codes, prefixes (IAC1) or names (comma list, repeatable)."
FAIL_ON_HELP = "Lowest severity that fails the run (exit 1): error, warning (default), note."
CONFIG_HELP = (
    "Read this configuration file (.iaccert.toml, or a pyproject.toml: tool.iaccert); "
    "default: $IACCERT_CONFIG, else the nearest one."
)
NO_CONFIG_HELP = "Read no configuration file (default: the nearest up to the repository root)."
SHOW_SETTINGS_HELP = (
    "Print the effective settings, each with where it came from (default, the configuration "
    "file, the command line), and exit."
)
EXCLUDE_HELP = (
    "Leave out paths matching these gitignore-style globs, relative to the working directory "
    "(comma list, repeatable; added to the configuration's exclude)."
)
NO_GITIGNORE_HELP = "Scan what .gitignore files ignore too (default: leave it out)."
ALLOW_ROOT_HELP = (
    "Also read files under this directory (repeatable). By default only files inside the "
    "scanned paths' repositories (the directory holding .git, else the path) are read, and "
    "files named by --var-file, --plan, --parameters-file, --baseline."
)


class RuleFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


class GraphFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"


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
    """iaccert: certificate checks for API Gateway custom domains and every ACM consumer."""


def _split_var(text: str, option: str = "--var") -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise typer.BadParameter(f"expected NAME=VALUE, got {text!r}", param_hint=option)
    return name.strip(), value


@app.command(
    short_help="Check the code: every certificate consumer's chain, at the line where the fix goes."
)
def lint(
    paths: list[Path] = typer.Argument(None, help="Files or directories to scan (default: .)."),
    fmt: Format = typer.Option(
        Format.text,
        "--format",
        "-f",
        envvar="IACCERT_FORMAT",
        show_envvar=False,
        metavar="FORMAT",
        help=FORMAT_HELP,
        rich_help_panel=PANEL_OUTPUT,
    ),
    output: list[str] = typer.Option(
        [],
        "--output",
        "--output-file",
        "-o",
        metavar="[FORMAT:]FILE",
        help=OUTPUT_HELP,
        rich_help_panel=PANEL_OUTPUT,
    ),
    color: Color = typer.Option(
        Color.auto,
        "--color",
        metavar="WHEN",
        help="Colour the text format: auto (a terminal or FORCE_COLOR, unless NO_COLOR is set), "
        "always, never.",
        rich_help_panel=PANEL_OUTPUT,
    ),
    quiet: bool = typer.Option(
        False,
        "--quiet",
        "-q",
        help="Print findings only, no summary.",
        rich_help_panel=PANEL_OUTPUT,
    ),
    statistics: bool = typer.Option(
        False,
        "--statistics",
        help="Print how many findings each rule reported instead of the findings (JSON with "
        "--format json); -o FORMAT:FILE reports are unchanged.",
        rich_help_panel=PANEL_OUTPUT,
    ),
    sarif_include_suppressed: bool = typer.Option(
        False,
        "--sarif-include-suppressed",
        help="SARIF: list suppressed and baselined findings too (left out by default: GitHub "
        "would show them as open alerts).",
        rich_help_panel=PANEL_OUTPUT,
    ),
    var: list[str] = typer.Option(
        [],
        "--var",
        help="Set a root Terraform variable, NAME=VALUE (repeatable).",
        rich_help_panel=PANEL_TERRAFORM,
    ),
    var_file: list[Path] = typer.Option(
        [],
        "--var-file",
        help="Read Terraform variable values from a .tfvars file (repeatable).",
        rich_help_panel=PANEL_TERRAFORM,
    ),
    plan: list[Path] = typer.Option(
        [],
        "--plan",
        help="A `terraform show -json` plan to analyse; the scanned sources then give locations.",
        rich_help_panel=PANEL_TERRAFORM,
    ),
    parameter: list[str] = typer.Option(
        [],
        "--parameter",
        help="Set a CloudFormation parameter of every top-level template, KEY=VALUE (repeatable).",
        rich_help_panel=PANEL_CLOUDFORMATION,
    ),
    parameters_file: Path | None = typer.Option(
        None,
        "--parameters-file",
        help='Read CloudFormation parameter values from JSON: [{"ParameterKey": …, '
        '"ParameterValue": …}] or {"Parameters": {…}}; --parameter wins.',
        rich_help_panel=PANEL_CLOUDFORMATION,
    ),
    exit_zero: bool = typer.Option(
        False, "--exit-zero", help="Exit 0 even with findings.", rich_help_panel=PANEL_OUTPUT
    ),
    select: list[str] = typer.Option([], "--select", help=SELECT_HELP, rich_help_panel=PANEL_RULES),
    ignore: list[str] = typer.Option([], "--ignore", help=IGNORE_HELP, rich_help_panel=PANEL_RULES),
    fail_on: FailOn | None = typer.Option(
        None, "--fail-on", help=FAIL_ON_HELP, rich_help_panel=PANEL_RULES
    ),
    no_ignore: bool = typer.Option(
        False,
        "--no-ignore",
        help="Show everything: disregard in-source suppressions (comments, CloudFormation "
        "Metadata).",
        rich_help_panel=PANEL_RULES,
    ),
    baseline: Path | None = typer.Option(
        None,
        "--baseline",
        help="Hide the findings recorded in this baseline file (reported as suppressed); "
        "report its entries that no longer match.",
        rich_help_panel=PANEL_RULES,
    ),
    write_baseline: Path | None = typer.Option(
        None,
        "--write-baseline",
        help="Record the current findings in this baseline file; this run then passes.",
        rich_help_panel=PANEL_RULES,
    ),
    config_file: Path | None = typer.Option(
        None, "--config", help=CONFIG_HELP, rich_help_panel=PANEL_RULES
    ),
    no_config: bool = typer.Option(
        False, "--no-config", help=NO_CONFIG_HELP, rich_help_panel=PANEL_RULES
    ),
    exclude: list[str] = typer.Option([], "--exclude", help=EXCLUDE_HELP),
    no_gitignore: bool = typer.Option(False, "--no-gitignore", help=NO_GITIGNORE_HELP),
    show_settings: bool = typer.Option(
        False, "--show-settings", help=SHOW_SETTINGS_HELP, rich_help_panel=PANEL_RULES
    ),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="Do not read or write any cache (see README)."
    ),
    no_prefilter: bool = typer.Option(
        False,
        "--no-prefilter",
        help="Parse every Terraform module, not only those that can hold an API Gateway domain.",
        rich_help_panel=PANEL_TERRAFORM,
    ),
    allow_root: list[Path] = typer.Option([], "--allow-root", help=ALLOW_ROOT_HELP),
    live: bool = typer.Option(
        False,
        "--live",
        help="Look up with AWS credentials what the code cannot show (IAC109: literal ARNs, "
        "certificate data sources) and report the live rules at the source line. Never implicit.",
        rich_help_panel=PANEL_LIVE,
    ),
    profile: str | None = typer.Option(
        None, "--profile", help="--live: the AWS profile.", rich_help_panel=PANEL_LIVE
    ),
    region: list[str] = typer.Option(
        [],
        "--region",
        help="Region of what the code does not place (repeatable): CloudFormation stacks and "
        "AWS::Region take the first (a CDK manifest's stack environment wins), and so does "
        "${opt:region} in serverless files; --live lookups.",
        rich_help_panel=PANEL_CLOUDFORMATION,
    ),
    role_arn: str | None = typer.Option(
        None,
        "--role-arn",
        help="--live: role to assume in the account of a literal ARN.",
        rich_help_panel=PANEL_LIVE,
    ),
    external_id: str | None = typer.Option(
        None,
        "--external-id",
        help="--live: external id for --role-arn.",
        rich_help_panel=PANEL_LIVE,
    ),
    expiry_days: int | None = typer.Option(
        None,
        "--expiry-days",
        help="--live: IAC203 warns this many days before expiry (30).",
        rich_help_panel=PANEL_LIVE,
    ),
    upload_max_age_days: int | None = typer.Option(
        None,
        "--upload-max-age-days",
        help="--live: IAC206 flags uploads older than this (395).",
        rich_help_panel=PANEL_LIVE,
    ),
    deadline: float | None = typer.Option(
        None,
        "--deadline",
        min=0.1,
        metavar="SECONDS",
        help="--live: no AWS call starts after this many seconds; the rest could not be checked.",
        rich_help_panel=PANEL_LIVE,
    ),
    allow_incomplete: bool = typer.Option(
        False,
        "--allow-incomplete",
        help="--live: checks that could not be made do not exit 2.",
        rich_help_panel=PANEL_LIVE,
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    fix: bool = typer.Option(
        False,
        "--fix",
        help="Apply the safe fixes to the Terraform files, then report what is left.",
        rich_help_panel=PANEL_FIX,
    ),
    unsafe_fixes: bool = typer.Option(
        False,
        "--unsafe-fixes",
        help="With --fix or --diff: also the fixes that change what is deployed (new DNS "
        "records, another certificate attribute).",
        rich_help_panel=PANEL_FIX,
    ),
    diff: bool = typer.Option(
        False,
        "--diff",
        help="Print the fixes as a unified diff instead of applying them; exit 1 if any.",
        rich_help_panel=PANEL_FIX,
    ),
) -> None:
    """Scan Terraform (with Terragrunt units), CloudFormation, SAM, CDK output and Serverless
    Framework files and report every certificate consumer whose chain is not sound. Files given
    as paths stand for everything they can break (the roots that call their module)."""
    from .cache import default_cache_dir
    from .cloudformation import CfnOptions
    from .compiled import use_cache_dir
    from .findings import fails
    from .progress import Progress
    from .safe_read import Roots
    from .scan import scan
    from .terraform import TfOptions

    paths = paths or [Path(".")]
    use_cache_dir(None if no_cache else default_cache_dir())  # the compiled rule catalog
    outputs = _parse_outputs(output)
    with _config_errors():
        from .policy import apply_policy, from_options

        settings = _settings(config_file, no_config)
        policy = from_options(
            settings, select, ignore, fail_on and fail_on.value, no_ignore, baseline, write_baseline
        )
    if show_settings:
        cli_values = {"select": select, "ignore": ignore, "fail-on": fail_on and fail_on.value}
        cli_values.update({"var-files": [str(v) for v in var_file], "region": list(region)})
        cli_values.update({"expiry-days": expiry_days, "upload-max-age-days": upload_max_age_days})
        _print_settings(settings, cli_values, policy)
        return
    # Files named here are read wherever they are; the configuration's var-files only
    # inside the repository (a repository's .iaccert.toml is as untrusted as its code).
    named = [*var_file, *plan, parameters_file, baseline]
    var_file = list(var_file) or settings.var_files  # the command line wins over the config
    region = list(region) or ([settings.region] if settings.region else [])
    missing = [str(p) for p in [*paths, *allow_root] if not p.exists()]
    missing += [str(p) for p in [*var_file, *plan] if not p.is_file()]
    if parameters_file is not None and not parameters_file.is_file():
        missing.append(str(parameters_file))
    if missing:
        typer.echo(f"iaccert: no such file or directory: {', '.join(missing)}", err=True)
        raise typer.Exit(EXIT_ERROR)
    cache_dir = None if no_cache else default_cache_dir()
    root_var_files: dict = {}
    if any(p.is_file() for p in paths):  # files (pre-commit): what they can break, from the repo
        from .affected import widen

        paths, root_var_files = widen(paths, cache_dir)
    options = TfOptions(
        var_files=list(var_file),
        root_var_files=root_var_files,
        variables=[_split_var(v) for v in var],
        prefilter=not no_prefilter,
        cache_dir=cache_dir,
    )
    cfn_options = CfnOptions(
        region=region[0] if region else None,
        parameters=[_split_var(p, "--parameter") for p in parameter],
        parameters_file=parameters_file,
        default_parameters=settings.parameters,
        cache_dir=cache_dir,
    )
    with _config_errors():
        exclusions = _exclusions(settings, exclude, no_gitignore)
    if live and (fix or diff):
        typer.echo("iaccert: --fix and --diff work on the code alone, not with --live", err=True)
        raise typer.Exit(EXIT_ERROR)
    roots = Roots.of(paths, allow_root).with_files(named)
    provider = None
    if live:  # the deployed certificates join the code's facts: one run of every rule
        with _live_errors():
            from .live.resolve import look_up
            from .live.session import LiveOptions

            live_options = LiveOptions(
                profile=profile,
                regions=list(region),
                role_arn=role_arn,
                external_id=external_id,
                **_live_days(settings, expiry_days, upload_max_age_days),
                deadline=deadline,
            )

        def provider(chains):
            with _live_errors():  # boto3 and AWS problems: one line, exit 2
                return look_up(chains, live_options)

    with Progress(enabled=not quiet):
        result = scan(
            paths,
            options,
            list(plan),
            cfn_options,
            exclude=exclusions,
            policy=None,
            roots=roots,
            live=provider,
        )
    if fix or diff:

        def relint():
            again = scan(
                paths,
                options,
                list(plan),
                cfn_options,
                exclude=exclusions,
                policy=None,
                roots=roots,
            )
            with _config_errors():
                apply_policy(again, policy)
            return again

        with _config_errors():
            apply_policy(result, policy)
        _fix_or_diff(result, relint, fix, diff, unsafe_fixes)  # --diff exits here
        result = relint() if fix else result
    if not (fix or diff):
        with _config_errors():  # selection, severities, suppressions, baseline: after --live
            apply_policy(result, policy)
    result.configuration = _describe(settings)
    if fmt.value == "text" and not quiet:
        result.fixable = _fixable(result)
    _write_reports(result, fmt, outputs, color, quiet, sarif_include_suppressed, statistics)
    if result.incomplete and not allow_incomplete:
        raise typer.Exit(EXIT_ERROR)
    if not exit_zero and fails(result.findings, policy.fail_on):
        raise typer.Exit(EXIT_FINDINGS)


def _fix_or_diff(result, relint, fix: bool, diff: bool, unsafe: bool) -> None:
    """--diff prints one round of fixes and exits (1 when there are any); --fix applies
    fixes until none is left, then the caller reports what remains."""
    from .fix import fix_until_clean, preview

    if diff:
        text, count = preview(result, unsafe)
        sys.stdout.write(text)
        typer.echo(f"iaccert: would fix {count} finding{'s' if count != 1 else ''}", err=True)
        raise typer.Exit(EXIT_FINDINGS if count else EXIT_CLEAN)
    _, fixed = fix_until_clean(result, relint, unsafe)
    typer.echo(f"iaccert: fixed {fixed} finding{'s' if fixed != 1 else ''}", err=True)


def _fixable(result) -> tuple[int, int]:
    """(safe, unsafe-only) fixes for the text formats' hint; nothing read or imported when no
    finding's rule has a fixer."""
    if not any(f.rule.fix for f in result.findings):
        return (0, 0)
    from .fix import fixable

    return fixable(result)


def _settings(config_file: Path | None, no_config: bool):
    """The configuration file in effect (src/iaccert/config.py); ``IACCERT_CONFIG`` names
    one when ``--config`` does not (``--no-config`` wins over it)."""
    from .config import ConfigError, load_config

    if config_file is None and not no_config and os.environ.get("IACCERT_CONFIG"):
        config_file = Path(os.environ["IACCERT_CONFIG"])
    if config_file is not None and no_config:
        raise ConfigError("--config and --no-config exclude each other")
    return load_config(config_file, no_config)


def _describe(settings) -> dict:
    from .config import describe

    return describe(settings)


def _print_settings(settings, cli_values: dict, policy) -> None:
    """``lint --show-settings``: the settings in effect and their origin (config.py)."""
    from .catalog import rules
    from .config import settings_table
    from .policy import split_selectors

    for key in ("select", "ignore"):
        cli_values[key] = split_selectors(cli_values[key])
    enabled = [r for r in rules() if policy.enabled is None or r in policy.enabled]
    sys.stdout.write(settings_table(settings, cli_values, enabled))


def _exclusions(settings, exclude: list[str], no_gitignore: bool):
    """The configuration's ``exclude`` globs, ``--exclude`` ones (relative to the working
    directory) and .gitignore files unless ``--no-gitignore`` (src/iaccert/exclusion.py)."""
    from .config import ConfigError
    from .exclusion import Exclusions, PatternError, PatternSet

    globs = [settings.exclude_patterns()] if settings.exclude else []
    given = [g.strip() for item in exclude for g in item.split(",") if g.strip()]
    if given:
        try:
            globs.append(PatternSet.parse(Path.cwd(), given))
        except PatternError as exc:
            raise ConfigError(f"--exclude: not a valid gitignore glob: {exc}") from None
    return Exclusions(globs=globs, gitignore=not no_gitignore)


def _parse_outputs(values: list[str]) -> dict[str | None, Path]:
    """``-o`` values: ``FORMAT:FILE`` (an extra report) or a bare ``FILE`` (key None: the
    ``--format`` report goes there instead of stdout)."""
    from .report import FORMATS

    out: dict[str | None, Path] = {}
    for value in values:
        name, sep, file = value.partition(":")
        key = name if sep and name in FORMATS and file else None
        target = Path(file if key else value)
        if key in out:
            what = f"{key}:" if key else "a bare FILE"
            raise typer.BadParameter(f"{what} given twice", param_hint="--output")
        out[key] = target
    return out


def _write_reports(
    result,
    fmt: Format,
    outputs: dict,
    color: Color,
    quiet: bool,
    suppressed: bool = False,
    statistics: bool = False,
) -> None:
    """The ``--format`` report (or ``--statistics``) to stdout or the bare ``-o FILE``, then
    every ``FORMAT:FILE`` report; a file that cannot be written is one line and exit 2."""
    from .report import RenderOptions, render, want_color

    main_file = outputs.get(None)
    colored = want_color(color.value, main_file)
    shown = RenderOptions(color=colored, quiet=quiet, sarif_include_suppressed=suppressed)
    if statistics:
        from .report import statistics as stats  # imported only when asked for (text, docs)

        main = stats.render(result, shown, as_json=fmt is Format.json)
    else:
        main = render(fmt.value, result, shown)
    reports = [(main_file, main)]
    plain = RenderOptions(
        color=color is Color.always, quiet=quiet, sarif_include_suppressed=suppressed
    )
    reports += [(path, render(name, result, plain)) for name, path in outputs.items() if name]
    for path, text in reports:
        if path is None:
            sys.stdout.write(text)
            continue
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            typer.echo(f"iaccert: cannot write {path}: {exc.strerror or exc}", err=True)
            raise typer.Exit(EXIT_ERROR) from None


def _live_days(settings, expiry_days: int | None, upload_max_age_days: int | None) -> dict:
    """--expiry-days / --upload-max-age-days: the command line, else the config, else 30/395."""
    out = {"expiry_days": 30, "upload_max_age_days": 395}
    for key, given in (("expiry_days", expiry_days), ("upload_max_age_days", upload_max_age_days)):
        for value in (getattr(settings, key), given):  # later wins
            out[key] = value if value is not None else out[key]
    return out


@contextmanager
def _config_errors():
    """A configuration, selector or baseline problem: one line, exit 2."""
    from .baseline import BaselineError
    from .config import ConfigError
    from .policy import PolicyError

    try:
        yield
    except (ConfigError, PolicyError, BaselineError) as exc:
        typer.echo(f"iaccert: {_visible(exc)}", err=True)
        raise typer.Exit(EXIT_ERROR) from None


def _visible(exc: Exception) -> str:
    """An error message that may quote a repository's value, escaped for the terminal."""
    from .report.escape import text

    return text(exc)


@contextmanager
def _live_errors():
    """Live mode's configuration problems (no boto3, no credentials, bad options): one line.
    Any other error is named by its class alone: its text may quote an AWS answer."""
    from .live.session import LiveUsageError

    try:
        yield
    except ModuleNotFoundError as exc:
        if exc.name not in ("boto3", "botocore"):
            raise
        typer.echo("iaccert: live mode needs boto3: pip install 'iaccert[live]'", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    except LiveUsageError as exc:
        typer.echo(f"iaccert: {exc}", err=True)
        raise typer.Exit(EXIT_ERROR) from None
    except typer.Exit:
        raise
    except Exception as exc:  # noqa: BLE001 - its text may quote an AWS answer: the class only
        typer.echo(f"iaccert: internal error in live mode: {type(exc).__name__}", err=True)
        raise typer.Exit(EXIT_ERROR) from None


@app.command("live", short_help="Check what is deployed: every ACM certificate and its consumers.")
def live_cmd(
    profile: str | None = typer.Option(
        None, "--profile", help="AWS profile (shared config).", rich_help_panel=PANEL_LIVE
    ),
    region: list[str] = typer.Option(
        [],
        "--region",
        help="Region to inspect (repeatable; default: the configured region).",
        rich_help_panel=PANEL_LIVE,
    ),
    all_regions: bool = typer.Option(
        False,
        "--all-regions",
        help="Every region enabled in each account (EC2 DescribeRegions).",
        rich_help_panel=PANEL_LIVE,
    ),
    role_arn: str | None = typer.Option(
        None,
        "--role-arn",
        help="Role to assume: an ARN with {account}, or a role name, with --accounts; or one ARN.",
        rich_help_panel=PANEL_LIVE,
    ),
    accounts: list[str] = typer.Option(
        [],
        "--accounts",
        help="Account ids (comma separated, repeatable) or a file of them.",
        rich_help_panel=PANEL_LIVE,
    ),
    external_id: str | None = typer.Option(
        None, "--external-id", help="External id for --role-arn.", rich_help_panel=PANEL_LIVE
    ),
    expiry_days: int | None = typer.Option(
        None,
        "--expiry-days",
        help="IAC203 warns this many days before expiry (default 30).",
        rich_help_panel=PANEL_LIVE,
    ),
    upload_max_age_days: int | None = typer.Option(
        None,
        "--upload-max-age-days",
        help="IAC206 warns of uploaded certificates; an error once older than this (395).",
        rich_help_panel=PANEL_LIVE,
    ),
    max_workers: int = typer.Option(
        8,
        "--max-workers",
        min=1,
        help="Threads over (account, region) pairs.",
        rich_help_panel=PANEL_LIVE,
    ),
    acm_rps: float = typer.Option(
        10.0,
        "--acm-rps",
        min=0.1,
        help="ACM DescribeCertificate calls/s per account and region.",
        rich_help_panel=PANEL_LIVE,
    ),
    max_attempts: int = typer.Option(
        5,
        "--max-attempts",
        min=1,
        help="Total attempts per AWS call (standard retry mode).",
        rich_help_panel=PANEL_LIVE,
    ),
    timeout: float = typer.Option(
        10.0,
        "--timeout",
        min=0.1,
        help="Connect and read timeout per attempt, in seconds.",
        rich_help_panel=PANEL_LIVE,
    ),
    deadline: float | None = typer.Option(
        None,
        "--deadline",
        min=0.1,
        metavar="SECONDS",
        help="No AWS call starts after this many seconds; the rest could not be checked.",
        rich_help_panel=PANEL_LIVE,
    ),
    fmt: Format = typer.Option(
        Format.text,
        "--format",
        "-f",
        envvar="IACCERT_FORMAT",
        show_envvar=False,
        metavar="FORMAT",
        help=FORMAT_HELP,
        rich_help_panel=PANEL_OUTPUT,
    ),
    output: list[str] = typer.Option(
        [],
        "--output",
        "--output-file",
        "-o",
        metavar="[FORMAT:]FILE",
        help=OUTPUT_HELP,
        rich_help_panel=PANEL_OUTPUT,
    ),
    exit_zero: bool = typer.Option(
        False, "--exit-zero", help="Exit 0 even with findings.", rich_help_panel=PANEL_OUTPUT
    ),
    allow_incomplete: bool = typer.Option(
        False,
        "--allow-incomplete",
        help="Checks that could not be made do not exit 2.",
        rich_help_panel=PANEL_LIVE,
    ),
    select: list[str] = typer.Option([], "--select", help=SELECT_HELP, rich_help_panel=PANEL_RULES),
    ignore: list[str] = typer.Option([], "--ignore", help=IGNORE_HELP, rich_help_panel=PANEL_RULES),
    fail_on: FailOn | None = typer.Option(
        None, "--fail-on", help=FAIL_ON_HELP, rich_help_panel=PANEL_RULES
    ),
    config_file: Path | None = typer.Option(
        None, "--config", help=CONFIG_HELP, rich_help_panel=PANEL_RULES
    ),
    no_config: bool = typer.Option(
        False, "--no-config", help=NO_CONFIG_HELP, rich_help_panel=PANEL_RULES
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Check every deployed ACM certificate and its consumers: API Gateway custom domains,
    CloudFront distributions, load balancer listeners (boto3, read-only).

    Exit codes: 0 clean, 1 findings, 2 some checks could not be made (unless
    --allow-incomplete), or a usage error.
    """
    from .findings import fails

    outputs = _parse_outputs(output)
    with _config_errors():
        from .policy import apply_policy, from_options

        settings = _settings(config_file, no_config)
        policy = from_options(settings, select, ignore, fail_on and fail_on.value)
    with _live_errors():
        from .live.runner import live_scan
        from .live.session import LiveOptions, parse_accounts

        options = LiveOptions(
            profile=profile,
            regions=list(region),
            all_regions=all_regions,
            role_arn=role_arn,
            accounts=parse_accounts(list(accounts)),
            external_id=external_id,
            **_live_days(settings, expiry_days, upload_max_age_days),
            max_workers=max_workers,
            acm_rps=acm_rps,
            max_attempts=max_attempts,
            timeout=timeout,
            deadline=deadline,
        )
        result = live_scan(options)
    apply_policy(result, policy)
    result.configuration = _describe(settings)
    _write_reports(result, fmt, outputs, Color.never, False)
    if result.incomplete and not allow_incomplete:
        raise typer.Exit(EXIT_ERROR)
    if not exit_zero and fails(result.findings, policy.fail_on):
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def rule(
    code: str = typer.Argument(None, help="Rule code (IAC101) or name (email-validation)."),
    all_rules: bool = typer.Option(False, "--all", help="List every rule."),
    fmt: RuleFormat = typer.Option(
        RuleFormat.text,
        "--format",
        "-f",
        help="text; json (id, name, severity, summary, docs); markdown (as docs/rules.md).",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Explain a rule: what it checks, why, an example and the fix."""
    import json

    from .catalog import find_rule, rules
    from .docs import help_uri, rule_dict, rule_markdown, rules_markdown

    if all_rules or not code:
        if fmt is RuleFormat.json:
            typer.echo(json.dumps([rule_dict(r) for r in rules().values()], indent=2))
        elif fmt is RuleFormat.markdown:
            sys.stdout.write(rules_markdown())
        else:
            for r in rules().values():
                typer.echo(f"{r.id}  {r.name:<34} {r.severity:<8} {r.summary}")
        return
    found = find_rule(code)
    if found is None:
        typer.echo(f"iaccert: unknown rule {code!r} (see iaccert rule --all)", err=True)
        raise typer.Exit(EXIT_ERROR)
    if fmt is RuleFormat.json:
        typer.echo(json.dumps(rule_dict(found), indent=2))
    elif fmt is RuleFormat.markdown:
        sys.stdout.write(rule_markdown(found))
    else:
        typer.echo(f"# {found.id} {found.name} ({found.severity})\n\n{found.summary}\n")
        typer.echo(found.doc_text)
        typer.echo(f"\nOnline: {help_uri(found)}")


@app.command(short_help="Draw each consumer's chain with its broken links.")
def graph(
    paths: list[Path] = typer.Argument(None, help="Files or directories to scan (default: .)."),
    fmt: GraphFormat = typer.Option(
        GraphFormat.mermaid,
        "--format",
        "-f",
        help="mermaid (default) or dot (Graphviz).",
        rich_help_panel=PANEL_OUTPUT,
    ),
    output_file: Path | None = typer.Option(
        None,
        "--output-file",
        "-o",
        help="Write the graph to this file instead of stdout.",
        rich_help_panel=PANEL_OUTPUT,
    ),
    var: list[str] = typer.Option(
        [],
        "--var",
        help="Set a root Terraform variable, NAME=VALUE (repeatable).",
        rich_help_panel=PANEL_TERRAFORM,
    ),
    var_file: list[Path] = typer.Option(
        [],
        "--var-file",
        help="Read Terraform variable values from a .tfvars file (repeatable).",
        rich_help_panel=PANEL_TERRAFORM,
    ),
    config_file: Path | None = typer.Option(
        None, "--config", help=CONFIG_HELP, rich_help_panel=PANEL_RULES
    ),
    no_config: bool = typer.Option(
        False, "--no-config", help=NO_CONFIG_HELP, rich_help_panel=PANEL_RULES
    ),
    exclude: list[str] = typer.Option([], "--exclude", help=EXCLUDE_HELP),
    no_gitignore: bool = typer.Option(False, "--no-gitignore", help=NO_GITIGNORE_HELP),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Draw each consumer's chain (consumer, certificate, validation, DNS records) with its
    broken links; exits 0 whatever it finds. Reads the configuration as lint does
    (select, ignore, severity, exclude, var-files, region, parameters)."""
    from .cloudformation import CfnOptions
    from .report.graph import render
    from .safe_read import Roots
    from .scan import scan
    from .terraform import TfOptions

    paths = paths or [Path(".")]
    with _config_errors():
        from .policy import from_options

        settings = _settings(config_file, no_config)
        policy = from_options(settings, [], [], None)
        exclusions = _exclusions(settings, exclude, no_gitignore)
    var_file = list(var_file) or settings.var_files
    missing = [str(p) for p in [*paths, *var_file] if not p.exists()]
    if missing:
        typer.echo(f"iaccert: no such file or directory: {', '.join(missing)}", err=True)
        raise typer.Exit(EXIT_ERROR)
    options = TfOptions(var_files=list(var_file), variables=[_split_var(v) for v in var])
    cfn_options = CfnOptions(region=settings.region, default_parameters=settings.parameters)
    roots = Roots.of(paths).with_files(var_file)  # the var-files named here, wherever they are
    result = scan(paths, options, None, cfn_options, exclude=exclusions, policy=policy, roots=roots)
    text = render(result, fmt.value)
    if output_file is not None:
        output_file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def main() -> None:
    """Console entry point; an unexpected error is one line and exit 2, never a traceback."""
    try:
        code = app(standalone_mode=False)  # click returns, not raises, an Exit's code here
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except typer.Abort:
        sys.exit(EXIT_ERROR)
    except Exception as exc:  # noqa: BLE001 - last resort: report, never a traceback
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click/typer usage errors
            exc.show()  # usage errors: typer's own message
            sys.exit(EXIT_ERROR)
        typer.echo(f"iaccert: internal error: {type(exc).__name__}: {_visible(exc)}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_CLEAN)
