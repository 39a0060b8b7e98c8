"""Composition root of ``desktop-crm``: settings -> replica -> (sync) -> UI.

``desktop-crm sync|lookup|backup …`` are headless (see :mod:`desktop_crm.client.cli`);
``desktop-crm open tel:NUMBER`` hands the number to the running window (screen pop) or starts
one; everything else opens the window. Qt is imported only on the GUI path, so the headless
commands start fast and run where no display libraries exist.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_crm import __version__
from desktop_crm.client import cli

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop_crm.client.session import OpenAhead
    from desktop_crm.ui.main_window import MainWindow

HEADLESS_COMMANDS = {"sync", "lookup", "write-policy", "policy", "backup"}


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desktop-crm",
        description=(
            "Desktop CRM. Headless commands: sync, lookup, backup, policy (desktop-crm sync "
            "--help). "
            "desktop-crm open tel:NUMBER shows the caller in the running window."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"desktop-crm {__version__}"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run against an embedded demo server on loopback, in throw-away profiles",
    )
    parser.add_argument(
        "--demo-accounts",
        type=int,
        default=None,
        metavar="N",
        help="customers in the demo server (default 400)",
    )
    parser.add_argument(
        "--user", default="rep1", help="demo user to start as: rep1, desk1 or manager1"
    )
    parser.add_argument("--profile", type=Path, help="profile folder (replica and settings)")
    parser.add_argument("--server", help="server URL for the first run (e.g. from IT)")
    parser.add_argument("--lang", default=None, help="language: en or zh_CN (default: system)")
    parser.add_argument(
        "--exit-after",
        type=float,
        metavar="SECONDS",
        help="quit after this long once the window is up (smoke tests, screenshots)",
    )
    parser.add_argument("--instance-name", default=None, help=argparse.SUPPRESS)
    # Start-up benchmarks and smoke tests: open the profile's replica offline at once (no
    # sign-in dialog; its passphrase, if any, from $DESKTOP_CRM_PASSPHRASE), and print when
    # the window is usable, then quit (desktop_crm.ui.startup_report).
    parser.add_argument("--open-offline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--report-usable", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("uri", nargs="?", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args_list and args_list[0] in HEADLESS_COMMANDS:
        return cli.run(args_list)
    phone: str | None = None
    if args_list and args_list[0] == "open":
        # The menu starts ``desktop-crm open %u`` with no link: then it just opens the window.
        if len(args_list) >= 2 and not args_list[1].startswith("-"):
            phone = args_list[1]
            args_list = args_list[2:]
        else:
            args_list = args_list[1:]
    args = _gui_parser().parse_args(args_list)
    if args.uri and args.uri.lower().startswith(("tel:", "callto:")):
        phone = args.uri  # desktop files pass the URI as the only argument
    try:
        return run_gui(args, phone)
    except Exception as exc:  # noqa: BLE001  (one line and a documented code, as the CLI's)
        return cli.fail_for(exc, args.profile or _default_profile_folder())


def _default_profile_folder() -> Path:
    from desktop_crm.client.profile import Profile

    return Profile.default().folder


#: After this long the first window has its rows: the start's garbage is swept then.
START_SETTLE_MS = 3000


def collect_start_garbage() -> None:
    """Free the start-up's garbage and freeze what lives on (the GUI thread's collector
    then only walks what is made afterwards)."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def open_ahead(args: argparse.Namespace, phone: str | None) -> OpenAhead | None:
    """``--open-offline``: start opening the profile's replica now, on a thread of its own,
    so its key derivation and checks overlap the loading of Qt and the window (0.1-0.2 s of a
    start). Not for a screen pop, which may hand over to a running window instead."""
    if not args.open_offline or args.demo or phone is not None:
        return None
    from desktop_crm.client.profile import Profile
    from desktop_crm.client.session import (
        PASSPHRASE_ENV,
        OpenAhead,
        open_profile_replica,
        read_secret,
    )

    profile = Profile(args.profile) if args.profile else Profile.default()
    if not profile.exists():
        return None  # a first run: the controller says what is missing
    passphrase = read_secret(None, PASSPHRASE_ENV)
    return OpenAhead(lambda: open_profile_replica(profile, passphrase))


def run_gui(args: argparse.Namespace, phone: str | None) -> int:
    ahead = open_ahead(args, phone)
    try:
        return _run_gui(args, phone, ahead)
    finally:
        if ahead is not None:
            ahead.close_unless_taken()


def _run_gui(args: argparse.Namespace, phone: str | None, ahead: OpenAhead | None) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_crm.ui.app_controller import AppController, DemoController, ProfileController
    from desktop_crm.ui.gui_gc import GuiThreadGarbageCollector
    from desktop_crm.ui.i18n import install_language
    from desktop_crm.ui.single_instance import phone_from_uri, send_to_running

    started = time.perf_counter()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Desktop CRM")
    app.setOrganizationName("desktop-crm")
    collector = GuiThreadGarbageCollector(app)
    if phone is not None and send_to_running(f"open {phone}", args.instance_name):
        return 0  # the running window shows the caller
    install_language(args.lang or "")
    controller: AppController
    if args.demo:
        from desktop_crm.demo import DEMO_ACCOUNTS, DemoServer

        controller = DemoController(
            DemoServer(args.demo_accounts or DEMO_ACCOUNTS),
            args.user,
            instance_name=args.instance_name,
        )
        if args.lang:
            controller.settings.language = args.lang
    else:
        from desktop_crm.client.policy import PolicyError, load_policy
        from desktop_crm.client.profile import Profile, SettingsError

        profile = Profile(args.profile) if args.profile else Profile.default()
        try:
            controller = ProfileController(
                profile,
                server_url=args.server,
                instance_name=args.instance_name,
                policy=load_policy(),
            )
        except (PolicyError, SettingsError) as exc:
            return _refuse(app, str(exc), cli.EXIT_USAGE, args.exit_after)
    if phone is not None:
        controller.pop_phone(phone_from_uri(phone))

    def window_up(window: MainWindow) -> None:
        # Start-up objects (modules, Qt wrappers) live as long as the app: keep them out of
        # full garbage collections, which otherwise stall every thread, the GUI's included.
        # Frozen at once (cheap); the start's garbage is swept once the first rows are up, so
        # the full collection (a tenth of a second) does not delay the usable window.
        gc.freeze()
        QTimer.singleShot(START_SETTLE_MS, collect_start_garbage)
        logging.getLogger(__name__).info("window up after %.1f s", time.perf_counter() - started)
        if args.exit_after is not None:
            QTimer.singleShot(int(args.exit_after * 1000), app.quit)
        if args.report_usable:
            from desktop_crm.ui.startup_report import report_when_usable

            report_when_usable(window, app)

    controller.window_ready.connect(window_up)
    if args.open_offline and isinstance(controller, ProfileController):
        from desktop_crm.client.session import PASSPHRASE_ENV, read_secret

        controller.start_offline(read_secret(None, PASSPHRASE_ENV), ahead)
    else:
        controller.start()
    try:
        return app.exec()
    finally:
        controller.shutdown()
        collector.stop()


def _refuse(app: QApplication, message: str, code: int, exit_after: float | None) -> int:
    """Say why the window cannot start (stderr and a message box) and return ``code``. The box
    is not modal: it ends the event loop when closed, or ``--exit-after`` does."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    print(f"desktop-crm: {message}", file=sys.stderr)
    box = QMessageBox(QMessageBox.Icon.Critical, "Desktop CRM", message)
    box.finished.connect(app.quit)
    box.show()
    if exit_after is not None:
        QTimer.singleShot(int(exit_after * 1000), app.quit)
    app.exec()
    return code


if __name__ == "__main__":
    sys.exit(main())
