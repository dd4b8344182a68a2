"""Start and stop the real Neo4j of tools/neo4j-test-server (Neo4j Community 5.26 embedded in one small JVM).

The test suite (tests/conftest.py) starts one per session; benches may start their own::

    server = Neo4jTestServer.start(home=Path("/tmp/n4j"))   # builds the jar first if its sources changed
    try:
        store = Neo4jStore.connect(server.uri, user=server.user, password=server.password)
        ...
    finally:
        server.stop()

The JVM stops itself when its stdin closes, so a test run killed with SIGKILL never leaves a server behind.
Authentication is off on this server; any user and password are accepted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SERVER_DIR = REPO / "tools" / "neo4j-test-server"
JAR = SERVER_DIR / "target" / "neo4j-test-server.jar"
HEAP = os.environ.get("WHOKNOWS_TEST_NEO4J_HEAP", "512m")
# C1 only: a test server runs many short statements, and C2 compiling beside them costs more CPU than it wins back
JAVA_OPTS = os.environ.get("WHOKNOWS_TEST_NEO4J_JAVA_OPTS", "-XX:TieredStopAtLevel=1").split()
PAGE_CACHE_BYTES = 64 * 1024 * 1024
START_TIMEOUT = 300.0  # seconds; a loaded 2-core CI machine takes 30-60 s to start Neo4j


class ServerUnavailable(RuntimeError):
    """The test server cannot be built or started; the message says why."""


def missing_tools() -> str | None:
    """Why the server cannot run on this machine (no java, or no mvn to build a missing jar), or None when it can."""
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if not missing or missing == ["mvn"] and JAR.exists():
        return None
    return (
        f"{' and '.join(missing)} not found on PATH: the real Neo4j test server (tools/neo4j-test-server) "
        "needs Java 17 and Maven"
    )


def _sources() -> list[Path]:
    return [SERVER_DIR / "pom.xml", *sorted((SERVER_DIR / "src").rglob("*"))]


def build_jar() -> Path:
    """The runnable jar, rebuilt with Maven only when it is missing or older than its sources (as `make` does)."""
    if JAR.exists() and all(JAR.stat().st_mtime >= p.stat().st_mtime for p in _sources() if p.is_file()):
        return JAR
    if why := missing_tools():
        raise ServerUnavailable(why)
    done = subprocess.run(
        ["mvn", "--batch-mode", "--quiet", "-f", str(SERVER_DIR / "pom.xml"), "package"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not JAR.exists():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-20:])
        raise ServerUnavailable(f"building {SERVER_DIR} with Maven failed (exit {done.returncode}):\n{tail}")
    JAR.touch()
    return JAR


@dataclass
class Neo4jTestServer:
    """One running server: its Bolt URI and how to stop it (same home and port again with :meth:`restart`)."""

    home: Path
    uri: str
    process: subprocess.Popen[str]
    user: str = "neo4j"
    password: str = "unused-auth-is-off"
    _log: Path = field(default=Path(), repr=False)

    @property
    def port(self) -> int:
        return int(self.uri.rsplit(":", 1)[1])

    @classmethod
    def start(cls, home: Path, port: int = 0, timeout: float = START_TIMEOUT,
              import_args: Path | None = None) -> Neo4jTestServer:
        """Start a server keeping its data under ``home`` and wait until Bolt answers a query. ``import_args``:
        first load the database with Neo4j's offline importer from that arguments file (``--bulk-dir``)."""
        if why := missing_tools():
            raise ServerUnavailable(why)
        jar = build_jar() if shutil.which("mvn") else JAR
        home.mkdir(parents=True, exist_ok=True)
        log = home / "server.log"
        command = [
            "java", f"-Xmx{HEAP}", "-Xms128m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError", *JAVA_OPTS,
            "-jar", str(jar), "--home", str(home), "--port", str(port), "--page-cache", str(PAGE_CACHE_BYTES),
            *(["--import", str(import_args)] if import_args is not None else []),
        ]  # fmt: skip
        with log.open("a") as err:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True
            )
        uri = _read_uri(process, timeout)
        if uri is None:
            _stop(process)
            tail = "\n".join(log.read_text(errors="replace").strip().splitlines()[-20:])
            raise ServerUnavailable(
                f"Neo4j test server did not start within {timeout:.0f} s (exit code {process.returncode}); "
                f"its log {log} ends:\n{tail}"
            )
        server = cls(home=home, uri=uri, process=process, _log=log)
        server.wait_ready(timeout)
        return server

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Wait until a Bolt session runs a query (the server prints its URI just before it accepts sessions)."""
        import neo4j

        deadline = time.monotonic() + timeout
        while True:
            try:
                with neo4j.GraphDatabase.driver(self.uri, auth=(self.user, self.password)) as driver:
                    driver.execute_query("RETURN 1")
                return
            except Exception as exc:  # noqa: BLE001 - any failure means not ready yet
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise ServerUnavailable(f"Neo4j test server at {self.uri} never answered: {exc}") from exc
                time.sleep(0.5)

    def stop(self) -> None:
        """Shut the server down cleanly (close its stdin), killing it only if it does not exit in time."""
        _stop(self.process)

    def restart(self, timeout: float = START_TIMEOUT) -> Neo4jTestServer:
        """The same data directory served again on the same port (after :meth:`stop`)."""
        return Neo4jTestServer.start(self.home, port=self.port, timeout=timeout)


def _read_uri(process: subprocess.Popen[str], timeout: float) -> str | None:
    """The ``BOLT <uri>`` line the launcher prints when ready, read on a thread so a hung JVM cannot block us."""
    found: list[str] = []

    def reader() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("BOLT "):
                found.append(line.split(None, 1)[1].strip())
                return

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    return found[0] if found else None


def _stop(process: subprocess.Popen[str], timeout: float = 60.0) -> None:
    try:
        if process.poll() is None:
            try:
                if process.stdin is not None:
                    process.stdin.close()
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    finally:
        for pipe in (process.stdin, process.stdout):  # also when it had exited by itself (a failed start)
            if pipe is not None and not pipe.closed:
                with contextlib.suppress(OSError):
                    pipe.close()


__all__ = ["JAR", "Neo4jTestServer", "ServerUnavailable", "build_jar", "missing_tools"]
