"""The ``crm`` root: global options, lazy loading of nouns, and the one place errors render.

Start-up matters (a salesperson runs ``crm`` dozens of times a day): this module imports
only Typer; each noun's module is imported when that noun runs, and ``crm --help`` lists
nouns from the table below without importing any of them.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from crmcli import __version__, cli_coercion, output
from crmcli.errors import CrmError

cli_coercion.install()

# noun -> (module, one-line help). Modules are imported only when their noun runs.
NOUNS: dict[str, tuple[str, str]] = {
    "status": ("crmcli.commands.status", "Today's dashboard: agenda, pipeline, overdue."),
    "agenda": ("crmcli.commands.agenda", "Your agenda: today, --week, --month, --overdue."),
    "log": ("crmcli.commands.log", 'Log an activity that happened: crm log call "…" --with …'),
    "board": ("crmcli.commands.board", "The pipeline as a board, one column per stage."),
    "lead": ("crmcli.commands.lead", "Leads: capture, qualify, score, assign, convert."),
    "contact": ("crmcli.commands.contact", "Contacts: people at companies; merge, vCard."),
    "company": ("crmcli.commands.company", "Companies: the 360° view, classification, handover."),
    "deal": ("crmcli.commands.deal", "Deals: the opportunity pipeline; move, win, lose."),
    "activity": (
        "crmcli.commands.activity",
        "Activities: calls, meetings, tasks; schedule, recur.",
    ),
    "product": ("crmcli.commands.product", "The price book."),
    "quote": ("crmcli.commands.quote", "Quotes: lines, send, accept, decline, revise, render."),
    "order": ("crmcli.commands.order", "Orders from accepted quotes, with balances."),
    "payment": ("crmcli.commands.payment", "Payments received against orders; refunds."),
    "expense": ("crmcli.commands.expense", "Sales expenses on deals and customers."),
    "user": ("crmcli.commands.user", "Reps and teams: add, list, show, edit, handover."),
    "pipeline": ("crmcli.commands.pipeline", "Pipelines and their stages."),
    "plan": ("crmcli.commands.plan", "Commission plans: tiers, accelerator, cap; assign to reps."),
    "commission": ("crmcli.commands.commission", "Commission periods: close (pay out), list."),
    "report": ("crmcli.commands.report", "Funnel, forecast, commission, lost deals, activity."),
    "currency": ("crmcli.commands.currency", "Exchange rates into the reporting currency."),
    "search": ("crmcli.commands.search", "Search every record and note."),
    "brief": ("crmcli.commands.brief", "Everything to know before a meeting."),
    "import": ("crmcli.commands.import_", "Import CSV, vCard or iCalendar files."),
    "export": ("crmcli.commands.export", "Export records as CSV, JSON, vCard or iCalendar."),
    "history": ("crmcli.commands.history", "Who changed what and when; undo a change."),
    "sync": ("crmcli.commands.sync", "Sync with the team through a shared folder."),
    "mcp": ("crmcli.commands.mcp", "Serve the book to AI assistants (Model Context Protocol)."),
    "config": ("crmcli.commands.config", "Your settings: seller block, currencies, locale."),
    "tui": ("crmcli.commands.tui", "The full-screen app."),
    "demo": ("crmcli.commands.demo", "Fill a database with a realistic demo book of business."),
    "backup": ("crmcli.commands.backup", "Write a consistent copy of the database."),
    "completion": ("crmcli.commands.completion", "Shell completion script: bash, zsh or fish."),
}
ALIASES = {
    "leads": "lead",
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "activities": "activity",
    "products": "product",
    "quotes": "quote",
    "payments": "payment",
    "orders": "order",
    "expenses": "expense",
    "users": "user",
    "pipelines": "pipeline",
    "plans": "plan",
    "reports": "report",
    "currencies": "currency",
}
# Output options are global but also accepted after the verb (SPEC §3): they are moved in
# front of the noun before parsing, so every command honours them the same way.
_OUTPUT_FLAGS = {"--json", "--csv", "--quiet", "-q", "--no-color"}


@dataclass
class AppState:
    """What the global options resolved to, shared by the commands of one invocation."""

    db: str | None = None
    user: str | None = None
    _book: Any = field(default=None, repr=False)
    _warned: bool = field(default=False, repr=False)

    def book(self) -> Any:
        """The open book of business (opened on first use, closed at exit)."""
        if self._book is None:
            self._book = self.open_book()
        return self._book

    def open_book(self) -> Any:
        """Open a new connection to the book the options name (the TUI's workers each need
        their own); warns once when the file sits in a shared or synced folder."""
        from crmcli.config import Settings, shared_folder_reason
        from crmcli.services.book import Book

        settings = Settings.resolve(db=self.db, user=self.user)
        if not self._warned:
            self._warned = True
            reason = shared_folder_reason(settings.db)
            if reason:
                output.warn(
                    f"the database {settings.db} is in a shared or synced place ({reason}); "
                    "SQLite files get corrupted there — keep it in a local folder and share "
                    "it with `crm sync --remote FOLDER` (README: Team sync)"
                )
        return Book.open(settings)

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
            self._book = None


def _available(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class _Listed(typer.core.TyperCommand):
    """A placeholder that carries a noun's help into ``crm --help`` without importing it."""


# Nouns whose commands only read the book and print (a PDF or HTML file they write is
# written and closed before they return): after one of them succeeds, ``main`` ends the
# process at once, without the 10-20 ms the interpreter spends freeing a large report.
_READ_ONLY_NOUNS = {"report", "reports"}
_read_only_done = False


class LazyGroup(TyperGroup):
    """The root group: nouns are imported on demand; errors are rendered here, once."""

    _listing_help = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [name for name, (module, _) in NOUNS.items() if _available(module)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        name = ALIASES.get(cmd_name, cmd_name)
        if name not in NOUNS:
            return None
        module_name, help_text = NOUNS[name]
        if self._listing_help:
            return _Listed(name=name, help=help_text, callback=None)
        if not _available(module_name):
            return None
        module = importlib.import_module(module_name)
        command = typer.main.get_command(module.app)
        command.name = name
        return command

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing_help = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing_help = False

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        """Nouns complete from the table above (no noun module is imported for it)."""
        from typer._click.shell_completion import CompletionItem

        if incomplete.startswith("-"):
            return super().shell_complete(ctx, incomplete)
        return [
            CompletionItem(name, help=help_text)
            for name, (module, help_text) in NOUNS.items()
            if name.startswith(incomplete) and _available(module)
        ]

    def _main_shell_completion(
        self, ctx_args: Any, prog_name: str, complete_var: str | None = None
    ) -> None:
        # Click names the instruction shell first (bash_complete), Typer last
        # (complete_bash): accept both, so either kind of script (or test) works.
        var = complete_var or f"_{prog_name}_COMPLETE".replace("-", "_").upper()
        shell, _, action = os.environ.get(var, "").partition("_")
        if shell in ("bash", "zsh", "fish", "powershell", "pwsh") and action:
            os.environ[var] = f"{action}_{shell}"
        super()._main_shell_completion(ctx_args, prog_name, complete_var)

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        front: list[str] = []
        rest: list[str] = []
        it = iter(range(len(args)))
        skip_to = -1
        for i in it:
            if i <= skip_to:
                continue
            arg = args[i]
            if arg == "--":
                rest.extend(args[i:])
                break
            if arg in _OUTPUT_FLAGS:
                front.append(arg)
            elif arg == "--format" and i + 1 < len(args):
                front.extend(args[i : i + 2])
                skip_to = i + 1
            elif arg.startswith("--format="):
                front.append(arg)
            else:
                rest.append(arg)
        return super().parse_args(ctx, front + rest)

    def invoke(self, ctx: Any) -> Any:
        global _read_only_done
        try:
            result = super().invoke(ctx)
            _read_only_done = ctx.invoked_subcommand in _READ_ONLY_NOUNS
            return result
        except CrmError as exc:
            if os.environ.get("CRM_DEBUG") == "1":
                raise
            output.error(exc)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            output.note("interrupted; nothing was written by the unfinished command")
            raise typer.Exit(130) from None
        finally:
            state = ctx.obj
            if isinstance(state, AppState):
                state.close()


app = typer.Typer(
    cls=LazyGroup,
    name="crm",
    help="crmcli — leads, contacts, companies, deals, activities and quotes in your terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=True,  # --install-completion / --show-completion (Typer's mechanism)
)


def _version(value: bool) -> None:
    if value:
        output.emit_text(f"crm {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database file or postgresql:// URL [env: CRM_DB].", show_default=False
        ),
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="Who is acting, recorded in history [env: CRM_USER].")
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print JSON (also after the verb).")
    ] = False,
    csv_out: Annotated[
        bool, typer.Option("--csv", help="Print CSV (also after the verb).")
    ] = False,
    fmt: Annotated[str | None, typer.Option("--format", help="table, json or csv.")] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Lists print only handles, one per line.")
    ] = False,
    no_color: Annotated[
        bool, typer.Option("--no-color", help="No colours (also NO_COLOR=1).")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """crmcli — leads, contacts, companies, deals, activities and quotes in your terminal."""
    chosen = fmt or ("json" if json_out else "csv" if csv_out else "table")
    if chosen not in ("table", "json", "csv"):
        raise typer.BadParameter("must be table, json or csv", param_hint="--format")
    output.configure(format=chosen, quiet=quiet, no_color=no_color)  # type: ignore[arg-type]
    ctx.obj = AppState(db=db, user=as_user)


def main() -> None:
    """Console-script entry point."""
    try:
        # One program name however crm was started (python -m crmcli, a wrapper…): usage
        # lines say crm, and shell completion answers to _CRM_COMPLETE.
        app(prog_name="crm")
    except CrmError as exc:  # raised outside a command (e.g. while parsing)
        output.error(exc)
        sys.exit(exc.exit_code)
    except SystemExit as end:
        if end.code in (0, None) and _read_only_done:
            _exit_now()
        raise


def _exit_now() -> None:
    """End a successful read-only command (``_READ_ONLY_NOUNS``) now: its book is closed
    (``LazyGroup.invoke``), nothing is left to write but stdout and stderr, flushed here
    (an error flushing them, e.g. a closed pipe, takes the ordinary way out)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        return
    os._exit(0)
