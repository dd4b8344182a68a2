"""Where the Neo4j store's time goes: client time per Cypher statement during an ingest (and an analyze), then
``PROFILE`` of the hottest statements with the parameters of one real call.

    .venv/bin/python bench/neo4j_profile.py --people 10000                 # ingest, on a fresh test server
    .venv/bin/python bench/neo4j_profile.py --people 10000 --analyze --top 6

Every statement the store runs goes through the driver's ``ManagedTransaction.run``; this wraps it in-process to
add up calls, parameter rows and seconds (records fetched included) per statement. PROFILE runs each chosen
statement once more inside a transaction that is rolled back (writes included), and prints the plan's operators with
their rows and database hits, so an index that is not used (``NodeByLabelScan`` instead of ``NodeUniqueIndexSeek``)
or an ``Eager`` shows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.store_bench import ensure_data, neo4j_server  # noqa: E402


class StatementTimes:
    """Calls, parameter rows and client seconds per statement, plus one call's parameters to PROFILE with."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = defaultdict(int)
        self.rows: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.sample: dict[str, tuple[Any, dict[str, Any]]] = {}

    def install(self) -> None:
        """Time every statement at the driver (``ManagedTransaction.run``), records fetched included."""
        import neo4j

        from graph.store import cypher

        names = {s.text: s.name for s in cypher.ALL_STATEMENTS.values()}
        original = neo4j.ManagedTransaction.run

        def timed(tx: Any, query: Any, parameters: Any = None, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            records = list(original(tx, query, parameters, **kwargs))  # fetch everything inside the timing
            name = names.get(str(query), str(query)[:32])
            self.calls[name] += 1
            self.seconds[name] += time.perf_counter() - t0
            params = dict(parameters or {})
            self.rows[name] += sum(len(v) for v in params.values() if isinstance(v, list)) or 1
            if name not in self.sample or len(str(params)) > len(str(self.sample[name][1])):
                self.sample[name] = (query, params)
            return records

        neo4j.ManagedTransaction.run = timed  # type: ignore[method-assign]
        self._restore = lambda: setattr(neo4j.ManagedTransaction, "run", original)

    def uninstall(self) -> None:
        self._restore()

    def report(self, total: float) -> list[str]:
        lines = [f"{'statement':32}{'calls':>8}{'rows':>10}{'seconds':>10}{'share':>8}{'ms/call':>9}"]
        for name in sorted(self.seconds, key=self.seconds.__getitem__, reverse=True):
            s = self.seconds[name]
            lines.append(f"{name:32}{self.calls[name]:>8}{self.rows[name]:>10}{s:>10.2f}{s / total:>8.1%}"
                         f"{1000 * s / self.calls[name]:>9.1f}")
        return lines


def profile(uri: str, name: str, text: str, params: dict[str, Any]) -> list[str]:
    """PROFILE one statement with real parameters, rolled back; the plan's operators, rows and db hits."""
    import neo4j

    lines: list[str] = []
    with neo4j.GraphDatabase.driver(uri, auth=None) as driver, driver.session() as session:
        tx = session.begin_transaction()
        try:
            t0 = time.perf_counter()
            result = tx.run("PROFILE " + text, params)
            list(result)  # the profile is complete only once every record was pulled
            summary = result.consume()
            wall = time.perf_counter() - t0
        finally:
            tx.rollback()
    lines.append(f"PROFILE {name}: {wall * 1000:.0f} ms, rows in params "
                 f"{sum(len(v) for v in params.values() if isinstance(v, list))}")

    def walk(plan: Any, depth: int) -> None:
        args = plan.get("args", {}) if isinstance(plan, dict) else {}
        op = plan.get("operatorType", "?")
        details = str(args.get("Details", ""))[:90]
        lines.append(f"  {'  ' * depth}{op:<34} rows {plan.get('rows', '?'):>8} dbHits {plan.get('dbHits', '?'):>9}"
                     f"  {details}")
        for child in plan.get("children", []):
            walk(child, depth + 1)

    if summary.profile:
        walk(summary.profile, 0)
    return lines


def fresh_keys(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters of a CREATE statement with each row's ``id`` made new (the PROFILE is rolled back anyway), so
    a statement that created nodes during the run can be profiled afterwards with its real rows."""
    return {k: [{**r, "id": f"{r['id']}~profile"} if isinstance(r, dict) and "id" in r else r for r in v]
            if isinstance(v, list) else v for k, v in params.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "whoknows-store-bench")
    ap.add_argument("--analyze", action="store_true", help="profile `analyze` too (after the ingest)")
    ap.add_argument("--top", type=int, default=5, help="PROFILE the N slowest statements")
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--page-cache", type=int, default=1 << 30)
    args = ap.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = ensure_data(args.workdir, args.people, args.seed)
    import neo4j.exceptions

    from graph.jobs import run_analytics
    from graph.store.neo4j import Neo4jStore
    from ingest.manifest import ingest_manifest

    home = args.workdir / f"neo4j-profile-{args.people}"
    with neo4j_server(home, args.heap, args.page_cache, args.workdir / "neo4j-profile.log") as uri:
        phases = [("ingest", lambda st: ingest_manifest(st, data, rejects_dir=args.workdir / "rejects-profile"))]
        if args.analyze:
            phases.append(("analyze", lambda st: run_analytics(st)))
        store = Neo4jStore.connect(uri)
        try:
            for phase, work in phases:
                times = StatementTimes()
                times.install()
                t0 = time.perf_counter()
                try:
                    work(store)
                finally:
                    times.uninstall()
                total = time.perf_counter() - t0
                print(f"\n{phase}: {total:.1f} s wall at {args.people:,} people; time inside statements "
                      f"{sum(times.seconds.values()):.1f} s")
                print("\n".join(times.report(total)))
                for name in sorted(times.seconds, key=times.seconds.__getitem__, reverse=True)[: args.top]:
                    text, params = times.sample[name]
                    # analytics rows are CREATEd under their generation's key: profile them as a new generation's
                    params = {k: [{**r, "gen": "profile"} if isinstance(r, dict) and "gen" in r else r for r in v]
                              if isinstance(v, list) else v for k, v in params.items()}
                    try:
                        try:
                            print("\n".join(profile(uri, name, text, params)))
                        except neo4j.exceptions.ConstraintError:  # a CREATE of keys now stored: new keys instead
                            print("\n".join(profile(uri, name, text, fresh_keys(params))))
                    except neo4j.exceptions.Neo4jError as exc:  # a plan we cannot get should not end the run
                        print(f"PROFILE {name} failed: {exc}")
        finally:
            store.close()


if __name__ == "__main__":
    main()
