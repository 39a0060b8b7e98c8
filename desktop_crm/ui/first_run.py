"""Signing in: the first-run dialog (server, user, password, and a passphrase when this computer
has no usable keychain), signing in again, and the settings dialog (language, sync interval)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_crm.client.profile import ProfileSettings
from desktop_crm.ui.i18n import LANGUAGES


class SignInDialog(QDialog):
    """First run: ``need_server`` asks for the server too; ``need_passphrase`` asks for the
    replica's passphrase (no keychain here); later sign-ins only ask for the password."""

    def __init__(
        self,
        settings: ProfileSettings,
        *,
        first_run: bool,
        need_passphrase: bool,
        locked_server: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign in to Desktop CRM") if first_run else self.tr("Sign in"))
        self.first_run = first_run
        self.intro = QLabel(
            self.tr(
                "Your customers are copied to this computer, encrypted, so you can work "
                "offline. Sign in to download them."
            )
            if first_run
            else self.tr("Sign in to sync with the server.")
        )
        self.intro.setWordWrap(True)
        self.server = QLineEdit(settings.server_url)
        self.server.setPlaceholderText("https://crm.example.com")
        self.server.setReadOnly(locked_server)
        if locked_server:
            self.server.setToolTip(self.tr("Set by your IT department."))
        self.username = QLineEdit(settings.username)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again = QLineEdit()
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Server"), self.server)
        form.addRow(self.tr("User name"), self.username)
        form.addRow(self.tr("Password"), self.password)
        self.need_passphrase = need_passphrase
        if need_passphrase:
            note = QLabel(
                self.tr(
                    "This computer has no keychain to keep the replica's key. Choose a "
                    "passphrase; you will type it each time the app starts."
                )
                if first_run
                else self.tr("Type the passphrase of this computer's encrypted replica.")
            )
            note.setWordWrap(True)
            form.addRow(note)
            form.addRow(self.tr("Passphrase"), self.passphrase)
            if first_run:
                form.addRow(self.tr("Passphrase again"), self.passphrase_again)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Sign in"))
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        (self.password if settings.username else self.username).setFocus()
        if first_run and not settings.server_url:
            self.server.setFocus()
        self.setMinimumWidth(440)

    def _check(self) -> None:
        problems = []
        if not self.server.text().strip().startswith(("http://", "https://")):
            problems.append(self.tr("Enter the server's address, starting with https://"))
        if not self.username.text().strip():
            problems.append(self.tr("Enter your user name."))
        if not self.password.text():
            problems.append(self.tr("Enter your password."))
        if self.need_passphrase:
            if len(self.passphrase.text()) < 8:
                problems.append(self.tr("The passphrase needs at least 8 characters."))
            elif self.first_run and self.passphrase.text() != self.passphrase_again.text():
                problems.append(self.tr("The two passphrases differ."))
        if problems:
            self.error.setText("\n".join(problems))
            return
        self.accept()

    def show_error(self, text: str) -> None:
        self.error.setText(text)


class SettingsDialog(QDialog):
    def __init__(
        self,
        settings: ProfileSettings,
        parent: QWidget | None = None,
        *,
        interval_managed: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.language = QComboBox()
        self.language.addItem(self.tr("Follow the system"), "")
        for key, name in LANGUAGES.items():
            self.language.addItem(name, key)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.interval = QSpinBox()
        self.interval.setRange(1, 240)
        self.interval.setSuffix(self.tr(" min"))
        self.interval.setValue(max(1, settings.sync_interval_seconds // 60))
        if interval_managed:
            self.interval.setEnabled(False)
            self.interval.setToolTip(self.tr("Set by your IT department."))
        form = QFormLayout()
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Sync every"), self.interval)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def apply_to(self, settings: ProfileSettings) -> None:
        settings.language = str(self.language.currentData())
        settings.sync_interval_seconds = self.interval.value() * 60
