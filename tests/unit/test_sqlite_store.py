"""What is specific to the embedded store: file settings, migrations, URLs."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.store import open_store
from graph.store.base import Batch
from graph.store.source_facts import SourceKeep
from graph.store.sqlite import SQLiteStore
from graph.store.sqlite_schema import LATEST, MIGRATIONS
from schema.errors import ConfigError, StoreError, StoreUnavailable
from schema.models import Endorsement
from tests.factories import small_org


def test_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "w.db")
    conn = store._conn()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.close()


def test_a_new_file_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "m.db")
    assert store.schema_version == LATEST
    store.close()
    # opening again applies nothing and keeps the data
    store = SQLiteStore(tmp_path / "m.db")
    assert store.schema_version == LATEST
    store.close()


def test_data_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "d.db"
    store = SQLiteStore(path)
    store.write_batch(small_org())
    before = store.dump()
    store.close()
    again = SQLiteStore(path)
    assert again.dump() == before
    again.close()


def test_a_store_from_before_post_titles_upgrades_and_keeps_its_posts(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:  # the schema as a version without post titles left it
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 3")
    conn.execute("INSERT INTO person (id, name, active, opted_out, bot, source) VALUES ('hr:E1', 'Ann', 1, 0, 0, 'hr')")
    conn.execute("INSERT INTO post (id, kind, author_id, created_at, tags, score, accepted, source) VALUES "
                 "('s:post/1', 'question', 'hr:E1', '2024-01-02T03:04:05.000000+00:00', 'python', 2, 0, 's')")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    assert store.schema_version == LATEST
    [row] = store.read_projection().posts
    assert (row.id, row.tags, row.score, row.title) == ("s:post/1", ("python",), 2, None)
    store.write_batch(small_org())
    titled = [p for p in store.dump()["Post"] if p[-1]]
    assert len(titled) == 1
    store.close()


def test_endorsements_from_before_they_carried_a_source_upgrade_to_unknown_and_are_never_taken_back(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v6.db"
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:6]:  # the schema as a version whose endorsements had no source left it
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 6")
    for pid, source in (("hr:E1", "hr"), ("jsonl/kudos:u2", "jsonl/kudos")):
        conn.execute("INSERT INTO person (id, name, active, opted_out, bot, source) VALUES (?, ?, 1, 0, 0, ?)",
                     (pid, pid, source))
    conn.execute("INSERT INTO skill (name, aliases) VALUES ('python', '[]')")
    conn.execute("INSERT INTO endorsed (from_id, to_id, skill, created_at) VALUES "
                 "('hr:E1', 'jsonl/kudos:u2', 'python', '2024-01-02T03:04:05.000000+00:00')")
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    assert store.schema_version == LATEST
    [row] = store.dump()["ENDORSED"]
    assert row[2:] == ("python", "2024-01-02T03:04:05Z", None)
    # a full re-import of the source whose people it joins does not know it wrote it: it stays, and so do they
    gone = store.retract_source("jsonl/kudos", SourceKeep(), dry_run=False)
    assert (gone.endorsements, gone.people) == ([], [])
    assert len(store.dump()["ENDORSED"]) == 1
    # the source's next export that still holds it writes it under its name: from then on it is the source's
    written = store.write_batch(Batch(endorsements=[Endorsement(
        from_id="hr:E1", to_id="jsonl/kudos:u2", skill="python", created_at=row[3], source="jsonl/kudos")]))
    assert written.updated == {"endorsements": 1}
    gone = store.retract_source("jsonl/kudos", SourceKeep())
    assert (gone.endorsements, gone.people) == ([("hr:E1", "jsonl/kudos:u2", "python")], ["jsonl/kudos:u2"])
    store.close()


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(path)


def test_a_file_that_is_not_a_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreUnavailable):
        SQLiteStore(path)


def test_two_store_objects_share_one_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    writer, reader = SQLiteStore(path), SQLiteStore(path)
    writer.write_batch(small_org())
    assert reader.counts()["people"] == len(small_org().people)
    writer.close()
    reader.close()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("sqlite://", StoreError),
        ("sqlite:///:memory:", StoreError),
        ("postgres://x", ConfigError),
        ("x.db", ConfigError),
    ],
)
def test_bad_urls(url: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        open_store(url)


def test_open_store_by_url(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/u.db")
    assert isinstance(store, SQLiteStore)
    assert store.path == tmp_path / "u.db"
    store.close()


# a thread counts 4 million rows inside SQLite (``count``) while the main thread does something to the store
_UNDER_A_READ = textwrap.dedent("""
    import sys, threading, time
    from graph.store.sqlite import SQLiteStore
    from schema.errors import StoreUnavailable
    from tests.expensive_store import COUNT_TO
    store = SQLiteStore(sys.argv[1])
    said = []
    def count():
        with store._read() as conn:
            said.append(conn.execute(COUNT_TO, (4_000_000,)).fetchone()[0])
""")


def _under_a_read(script: str, db: Path) -> str:
    """Run ``script`` after :data:`_UNDER_A_READ` in a fresh interpreter (a crash must not take pytest with it)."""
    run = subprocess.run([sys.executable, "-c", _UNDER_A_READ + textwrap.dedent(script), str(db)],
                         capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[2])
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])
    return run.stdout


def test_closing_under_a_running_read_does_not_crash_the_process(tmp_path: Path) -> None:
    """The server closes the store at shutdown while a pool thread may still be reading (a page's read left
    running past its deadline, an analytics run). ``close`` closed every connection and the interpreter crashed
    (exit -11). Now the reading thread's read ends on its connection, its next call says the store is closed and
    closes that connection, and nothing is left open."""
    out = _under_a_read("""
        def read():
            count()
            time.sleep(0.3)  # the store is closed by now
            try:
                store.ping()
            except StoreUnavailable as exc:
                said.append(type(exc).__name__)
        reader = threading.Thread(target=read)
        reader.start()
        time.sleep(0.2)
        store.close()
        left = len(store._conns)
        reader.join()
        print(said, left, len(store._conns))
    """, tmp_path / "c.db")
    assert out.split() == ["[4000000,", "'StoreUnavailable']", "1", "0"]


def test_reopening_under_a_running_read_does_not_crash_the_process(tmp_path: Path) -> None:
    """The API reopens the store after a fault while other workers may be reading. ``reopen`` closed every
    thread's connection, and closing one under a statement another thread was stepping crashed the interpreter
    (exit -11: the whole server gone). Now each thread's read finishes on its old connection, which that thread
    closes the next time it asks for one; the store answers after, with no connection left behind per reopen."""
    out = _under_a_read("""
        for _ in range(3):
            reader = threading.Thread(target=count)
            reader.start()
            time.sleep(0.2)
            store.reopen()
            reader.join()
        store.ping()
        print(said, len(store._conns))
        store.close()
    """, tmp_path / "r.db")
    counted, conns = out.split("]")
    assert counted == "[4000000, 4000000, 4000000"
    assert int(conns) <= 3  # the opener's, the main thread's and the reader's last: none piled up per reopen
