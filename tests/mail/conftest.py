"""A real IMAP server for the intake's tests: Debian's Dovecot, started on free loopback
ports with a throwaway configuration, a self-signed certificate and a mailbox under a
temporary directory. Installed with apt-get when it is missing (CI's .ci/run installs it
beforehand); the IMAP tests are skipped, saying why, only where it cannot be installed."""

import os
import pwd
import shutil
import ssl
import subprocess
import tempfile
import warnings
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests.helpers import free_port
from tests.notifications.conftest import wait_for

USER, PASSWORD = "support@helpdesk.test", "imap-test-password"

CONFIG = """
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{dir}/cert.pem
ssl_key = <{dir}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain
passdb {{
  driver = passwd-file
  args = {dir}/passwd
}}
userdb {{
  driver = static
  args = uid={user} gid={group} home={dir}/home/%n
}}
mail_location = maildir:~/Maildir
first_valid_uid = {uid}
default_internal_user = {user}
default_login_user = {login_user}
{non_root}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
"""


def _dovecot_binary() -> str | None:
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    warnings.warn("Dovecot is missing: installing dovecot-imapd with apt-get", stacklevel=1)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], env=env, check=False, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "dovecot-imapd"], env=env, check=False, timeout=600)
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )


class Dovecot:
    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
        self.dir.chmod(0o755)
        self.port, self.tls_port = free_port(), free_port()
        self.ca_file = str(self.dir / "cert.pem")

    def start(self) -> None:
        d = self.dir
        for sub in ("run", "state", "home"):
            (d / sub).mkdir()
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", str(d / "key.pem"), "-out", self.ca_file,
                "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        (d / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        if os.geteuid() == 0:
            # Dovecot never gives mail access to root: its own system user holds the mail.
            user, login_user, non_root = "dovecot", "dovenull", ""
            owner = pwd.getpwnam(user)
            os.chown(d / "home", owner.pw_uid, owner.pw_gid)
        else:
            user = login_user = pwd.getpwuid(os.geteuid()).pw_name
            owner = pwd.getpwuid(os.geteuid())
            non_root = "service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}"
        (d / "dovecot.conf").write_text(
            CONFIG.format(
                dir=d,
                user=user,
                group=owner.pw_gid,
                uid=min(owner.pw_uid, 100),
                login_user=login_user,
                non_root=non_root,
                port=self.port,
                tls_port=self.tls_port,
            )
        )
        subprocess.run([self.binary, "-c", str(d / "dovecot.conf")], check=True)
        wait_for(self._answers, timeout=15, what="dovecot")

    def _answers(self) -> bool:
        try:
            self.client().logout()
            return True
        except OSError:
            return False

    def stop(self) -> None:
        pid_file = self.dir / "run" / "master.pid"
        if pid_file.exists():
            subprocess.run([self.binary, "-c", str(self.dir / "dovecot.conf"), "stop"], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, *, starttls: bool = False, folder: str = "INBOX") -> str:
        user = USER.replace("@", "%40")
        if starttls:
            return f"imap://{user}:{PASSWORD}@127.0.0.1:{self.port}/{folder}"
        return f"imaps://{user}:{PASSWORD}@127.0.0.1:{self.tls_port}/{folder}"

    def client(self) -> IMAPClient:
        context = ssl.create_default_context(cafile=self.ca_file)
        client = IMAPClient("127.0.0.1", port=self.tls_port, ssl=True, ssl_context=context)
        client.login(USER, PASSWORD)
        return client

    def empty(self) -> None:
        """Every folder emptied, the extra ones removed."""
        client = self.client()
        for _flags, _delimiter, name in client.list_folders():
            client.select_folder(name)
            client.delete_messages(client.search())
            client.expunge()
            if name != "INBOX":
                client.unselect_folder()
                client.delete_folder(name)
        client.logout()

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        for raw in messages:
            client.append(folder, raw)
        client.logout()

    def messages(self, folder: str) -> list[bytes]:
        client = self.client()
        if not client.folder_exists(folder):
            client.logout()
            return []
        client.select_folder(folder, readonly=True)
        uids = client.search()
        found = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        client.logout()
        return [found[uid][b"BODY[]"] for uid in uids]


@pytest.fixture(scope="session")
def dovecot_server():
    binary = _dovecot_binary()
    if binary is None:
        message = (
            "IMAP TESTS NOT RUN: Dovecot (Debian's dovecot-imapd) is not installed and cannot "
            "be installed here (not root, or no apt-get). .ci/run installs it."
        )
        warnings.warn(message, stacklevel=1)
        pytest.skip(message)
    server = Dovecot(binary)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dovecot(dovecot_server, settings):
    """The server with an empty mailbox; the settings point the intake at it (IMAPS)."""
    dovecot_server.empty()
    settings.EMAIL_INBOX_URL = dovecot_server.url()
    settings.EMAIL_INBOX_CA_FILE = dovecot_server.ca_file
    return dovecot_server
