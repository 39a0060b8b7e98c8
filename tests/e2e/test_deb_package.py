"""The Linux .deb, end to end (issue 11, "Must show"): built by ``packaging/build`` from a clean
checkout, installed (``apt-get install ./….deb`` as root, which is ``dpkg -i`` plus the
Depends; else unpacked with ``dpkg -x``), then used from the installed files only, with no
project venv on PATH and no source tree: ``--version``, ``sync`` and ``lookup`` against a real
server, the demo window offscreen, the tel: handler; purge leaves users' profiles alone.

Slow (a PyInstaller build: several minutes on two cores); ``.ci/run`` runs it. While working
on packaging, ``DESKTOP_CRM_TEST_BUILD_VENV`` reuses a build venv, and ``DESKTOP_CRM_TEST_DEB``
skips the build and installs that .deb.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop_crm import __version__
from desktop_crm.client import cli
from desktop_crm.client.policy import Policy, load_policy
from desktop_crm.storage.keys import Passphrase
from desktop_crm.storage.replica import open_replica
from tests.e2e.conftest import PASSPHRASE, E2EServer

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "desktop-crm"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1200),
    pytest.mark.skipif(
        not (shutil.which("dpkg-deb") and shutil.which("dpkg-shlibdeps") and shutil.which("git")),
        reason="needs a Debian system with dpkg-dev and git",
    ),
    pytest.mark.skipif(
        not (ROOT / ".git").exists(), reason="builds from a clean clone: needs a git checkout"
    ),
]


@dataclass
class Installed:
    root: Path  # "/" after a real install, else the dpkg -x folder
    home: Path
    real: bool  # installed with dpkg (postinst ran), not unpacked
    build_seconds: float
    build_profile: str  # packaging/build's step lines: wall and CPU seconds of each step

    def path(self, absolute: str) -> Path:
        return self.root / absolute.lstrip("/")

    def env(self, **extra: str) -> dict[str, str]:
        """A user's environment: system PATH only (no venv, no PYTHONPATH)."""
        env = {
            "PATH": f"{self.path('/usr/bin')}:/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "QT_QPA_PLATFORM": "offscreen",
            "DESKTOP_CRM_PASSPHRASE": PASSPHRASE,
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_DATA_DIRS": f"{self.path('/usr/share')}:/usr/share",
            # No policy unless the installed one: the unpacked root's /etc is not /etc.
            "DESKTOP_CRM_POLICY": str(self.path("/etc/desktop-crm/policy.toml")),
        }
        return {**env, **extra}

    def run(self, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*args], env=self.env(**env), cwd=self.home, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip


def _can_install_for_real() -> bool:
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    known = subprocess.run(["dpkg-query", "-W", PACKAGE], capture_output=True, check=False)
    return known.returncode != 0  # never replace an installation this test did not make


def _build(work: Path) -> tuple[Path, float, str]:
    """``packaging/build`` in a clean clone of this checkout (its last commit); the .deb, the
    seconds it took and its step profile. The clone is deleted before anything is installed."""
    source = work / "checkout"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(source)], check=True)
    started = time.monotonic()
    build_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    build_env["BUILD_DIR"] = str(work / "build")
    build_env["BUILD_VENV"] = os.environ.get("DESKTOP_CRM_TEST_BUILD_VENV", str(work / "venv"))
    build_env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    built = subprocess.run(
        [str(source / "packaging" / "build")], env=build_env, capture_output=True, text=True,
        timeout=1200, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-6000:]
    (deb,) = (work / "build").glob(f"{PACKAGE}_{__version__}_*.deb")
    shutil.rmtree(source)  # the installed program may not lean on the checkout it came from
    profile = "\n".join(line for line in built.stderr.splitlines() if line.startswith("== "))
    return deb, time.monotonic() - started, profile


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("deb")
    given = os.environ.get("DESKTOP_CRM_TEST_DEB")
    deb, build_seconds, profile = (Path(given), 0.0, "") if given else _build(work)
    home = work / "home"
    home.mkdir()
    real = _can_install_for_real()
    if real:
        done = subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", str(deb)],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        root = Path("/")
    else:
        root = work / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        subprocess.run(["update-desktop-database", str(root / "usr/share/applications")],
                       check=False)  # fmt: skip  (what postinst does on a real install)
    try:
        yield Installed(root, home, real, build_seconds, profile)
    finally:
        if real:
            subprocess.run(["dpkg", "--purge", PACKAGE], capture_output=True, check=False)


def test_the_package_installs_the_program_and_its_desktop_files(installed: Installed) -> None:
    print(f"build from a clean checkout: {installed.build_seconds:.0f} s")  # noqa: T201
    print(installed.build_profile)  # noqa: T201  (where the build's time went, for CI logs)
    link = installed.path("/usr/bin/desktop-crm")
    assert link.is_symlink() and os.readlink(link) == "/opt/desktop-crm/desktop-crm"
    for absolute in (
        "/opt/desktop-crm/desktop-crm",
        "/usr/share/applications/desktop-crm.desktop",
        "/usr/share/metainfo/com.example.desktop_crm.metainfo.xml",
        "/usr/share/icons/hicolor/scalable/apps/desktop-crm.svg",
        "/usr/share/icons/hicolor/48x48/apps/desktop-crm.png",
        "/usr/share/icons/hicolor/256x256/apps/desktop-crm.png",
    ):
        assert installed.path(absolute).is_file(), absolute
    # The policy conffile is there and, all commented out, is no policy at all.
    policy = installed.path("/etc/desktop-crm/policy.toml")
    assert load_policy(policy) == Policy(source=policy)
    # No Python of the system or of a venv: the bundle carries its own.
    internal = installed.path("/opt/desktop-crm/_internal")
    assert any(internal.glob("libpython3*.so*"))


def test_version_from_the_installed_command(installed: Installed) -> None:
    which = installed.run("sh", "-c", "command -v desktop-crm")
    assert which.stdout.strip() == str(installed.path("/usr/bin/desktop-crm"))
    done = installed.run("desktop-crm", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"desktop-crm {__version__}"


def test_sync_and_lookup_from_the_installed_command(
    installed: Installed, e2e_server: E2EServer, tmp_path: Path
) -> None:
    e2e_server.seed_accounts("rep1", 20)
    profile = installed.home / "profiles" / "rep1"
    synced = installed.run(
        "desktop-crm", "sync", "--profile", str(profile), "--server", e2e_server.url,
        "--user", "rep1", "--password-file", str(e2e_server.password_file("rep1")),
    )  # fmt: skip
    assert synced.returncode == cli.EXIT_OK, synced.stdout + synced.stderr
    with open_replica(profile / "replica.db", Passphrase(PASSPHRASE)) as replica:
        with replica.engine.connect() as conn:
            raw, account = conn.execute(
                text("SELECT raw, account_name FROM contact_phones ORDER BY raw LIMIT 1")
            ).one()
    found = installed.run("desktop-crm", "lookup", raw, "--profile", str(profile))
    assert found.returncode == cli.EXIT_OK, found.stderr
    assert account in found.stdout
    missing = installed.run("desktop-crm", "lookup", "+1 555 0100 999", "--profile", str(profile))
    assert missing.returncode == cli.EXIT_NO_MATCH, missing.stderr


def test_the_demo_window_opens_offscreen_and_quits_on_its_own(installed: Installed) -> None:
    done = installed.run(
        "desktop-crm", "--demo", "--demo-accounts", "50", "--exit-after", "1", timeout=240
    )
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]


@pytest.mark.skipif(not shutil.which("xdg-mime"), reason="xdg-utils is not installed")
def test_tel_links_go_to_the_installed_entry(installed: Installed) -> None:
    done = installed.run("xdg-mime", "query", "default", "x-scheme-handler/tel")
    assert done.stdout.strip() == "desktop-crm.desktop", done.stdout + done.stderr


def test_purge_leaves_users_profiles_alone(installed: Installed) -> None:
    if not installed.real:
        pytest.skip("not installed with dpkg (not root): nothing to purge")
    profile = installed.home / ".local/share/desktop-crm/default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "settings.json").write_text('{"username": "rep1"}', encoding="utf-8")
    before = {p: p.read_bytes() for p in installed.home.rglob("*") if p.is_file()}
    purged = subprocess.run(["dpkg", "--purge", PACKAGE], capture_output=True, text=True)
    assert purged.returncode == 0, purged.stderr
    assert not Path("/opt/desktop-crm").exists() and not Path("/usr/bin/desktop-crm").exists()
    assert not Path("/etc/desktop-crm").exists()
    assert {p: p.read_bytes() for p in installed.home.rglob("*") if p.is_file()} == before
