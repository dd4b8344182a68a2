"""``whoknows serve``, ``whoknows token`` and ``whoknows demo``.

``demo`` is the one-step start for a newcomer: generate a synthetic organisation (ingest.demo), ingest it through the
real pipeline, analyze it, then serve it, printing the URL and a ready analyst token. It is the only place where
the app imports ingest (the API itself never does).
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.auth import Role, mint_token
from app.cli.main import (
    EXIT_USAGE,
    app,
    console,
    fail,
    guarded,
    out,
    require_created,
    settings_or_exit,
    store_session,
)
from app.settings import Settings, real_secret
from graph.store.base import GraphStore
from ingest.demo import check_people
from schema.errors import BadInput


def check_can_listen(host: str, port: int) -> None:
    """Refuse, as bad usage, an address the server could not listen on (a port taken by another server, a host
    name that does not resolve or is not this machine's), before anything is printed or built: uvicorn would log
    the failure as JSON and exit 3, the code that means the store is unavailable."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise fail(f"--host {host!r} does not resolve to an address ({getattr(exc, 'strerror', None) or exc})",
                   EXIT_USAGE) from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: TIME_WAIT is no obstacle
        try:
            probe.bind(addr)
        except OSError as exc:
            hint = {errno.EADDRINUSE: ": another server is listening there; stop it or choose another --port",
                    errno.EADDRNOTAVAIL: ": not an address of this machine; use 127.0.0.1 or 0.0.0.0"}.get(
                exc.errno or 0, "")
            raise fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}{hint}", EXIT_USAGE) from None


def check_exposure(settings: Settings, host: str) -> None:
    """Refuse, as bad usage, to serve beyond this machine while a public placeholder signs tokens or sessions.

    Development (the default ``WHOKNOWS_ENV``) accepts the placeholder JWT secret, whose text is in the source: the
    Dockerfile's ``serve --host 0.0.0.0`` with no settings served it to the network, and anyone could sign a token
    or a session cookie (and development sign-in links) as an admin or as any person. On loopback it is still the
    one-command start it was meant to be.
    """
    if _loopback(host):
        return
    weak = []
    if settings.jwks_url is None and not real_secret(settings.jwt_secret):
        weak.append("WHOKNOWS_JWT_SECRET")
    if not real_secret(settings.cookie_secret):
        weak.append("WHOKNOWS_SESSION_SECRET" if settings.session_secret else "WHOKNOWS_JWT_SECRET")
    if weak:
        names = " and ".join(dict.fromkeys(weak))
        raise fail(f"--host {host} serves other machines, and {names} is missing or a placeholder anyone can read "
                   f"(so anyone could sign in as an admin): set a real secret of at least 32 bytes "
                   f"(e.g. WHOKNOWS_JWT_SECRET=\"$(openssl rand -hex 32)\") and WHOKNOWS_ENV=production, or serve on "
                   "127.0.0.1", EXIT_USAGE)


def _loopback(host: str) -> bool:
    """Whether every address ``host`` names is this machine's loopback (``0.0.0.0`` and ``::`` are every address)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        return bool(infos) and all(ipaddress.ip_address(str(i[4][0]).split("%")[0]).is_loopback for i in infos)
    except (OSError, UnicodeError, ValueError):
        return False


def _run_server(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from app.main import create_app
    from app.observability import configure_logging
    from app.server import uvicorn_options

    configure_logging(settings.log_level)
    # read deadlines, a bound on request heads and a connection cap (app/server.py): uvicorn has none of its own
    uvicorn.run(create_app(settings), host=host, port=port, workers=1, log_config=None, access_log=False,
                **uvicorn_options(settings))


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    store: str | None = typer.Option(None, "--store", help="Store URL (default: WHOKNOWS_STORE)."),
) -> None:
    """Serve the GraphQL API (POST /graphql, GraphiQL at GET /graphql, /healthz, /readyz, /metrics)."""
    settings = settings_or_exit(store=store)
    check_can_listen(host, port)
    check_exposure(settings, host)
    require_created(settings)
    console.print(f"whoknows API on http://{host}:{port}/graphql (store {settings.store}, env {settings.env})")
    _run_server(settings, host, port)


@app.command()
def token(
    role: str = typer.Option(..., "--role", help="employee, analyst or admin."),
    sub: str = typer.Option(..., "--sub", help="Subject: who the token is for (a person id or a user name)."),
    ttl: int = typer.Option(3600, "--ttl", min=1, max=366 * 86400, help="Lifetime in seconds."),
) -> None:
    """Mint a development token (HS256 with WHOKNOWS_JWT_SECRET); prints only the token on stdout."""
    settings = settings_or_exit()
    if settings.jwks_url:
        raise fail("WHOKNOWS_JWKS_URL is set: the API only accepts tokens from that identity provider")
    try:
        parsed = Role.parse(role)
        minted = mint_token(settings, sub=sub.strip(), role=parsed, ttl_s=ttl)
    except BadInput as exc:
        raise fail(str(exc), EXIT_USAGE) from None
    out.print(minted, highlight=False, soft_wrap=True)


@contextmanager
def _bar() -> Iterator[Progress]:
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console, transient=False,
    ) as bar:
        yield bar


class _IngestProgress:
    """The ingest pipeline's progress protocol on a rich bar."""

    def __init__(self, bar: Progress) -> None:
        self.bar = bar
        self.task: int | None = None

    def start(self, label: str, total: int | None, unit: str) -> None:
        if self.task is not None:
            self.bar.update(self.task, completed=self.bar.tasks[-1].total or 0)  # type: ignore[arg-type]
        self.task = self.bar.add_task(f"ingest {label} ({unit})", total=total)

    def advance(self, n: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, n)  # type: ignore[arg-type]


def build_demo(settings: Settings, workdir: Path, people: int, seed: int) -> dict[str, int]:
    """Generate, ingest and analyze a demo organisation into ``settings.store``; returns the store's counts."""
    from graph.jobs import STAGES, run_analytics
    from ingest.demo import STEPS, generate_demo_data
    from ingest.manifest import ingest_manifest

    data_dir = workdir / "demo-data"
    with store_session(settings) as st, _bar() as bar:
        gen = bar.add_task(f"generate {people:,} people", total=len(STEPS))
        guarded(lambda: generate_demo_data(
            data_dir, people=people, seed=seed, end=date.today(), on_step=lambda _s: bar.advance(gen)))
        bar.update(gen, completed=len(STEPS))
        summaries = guarded(lambda: ingest_manifest(st, data_dir, progress=_IngestProgress(bar),
                                                    rejects_dir=workdir / "rejects"))
        task = bar.add_task("analyze", total=len(STAGES))

        def stage(_name: str, index: int, total: int) -> None:
            bar.update(task, completed=index, total=total)

        guarded(lambda: run_analytics(st, settings, stage))
        counts = guarded(st.counts)
    rejected = sum(s.rejected for s in summaries)
    console.print(
        f"demo organisation: {counts.get('people', 0):,} people, {counts.get('posts', 0):,} posts, "
        f"{counts.get('communities', 0):,} communities, {counts.get('expertise', 0):,} expertise scores"
        + (f" ({rejected:,} rows rejected, see {workdir / 'rejects'})" if rejected else ""),
        highlight=False,
    )
    return counts


@app.command()
def demo(
    people: int = typer.Option(2000, "--people", help="Size of the synthetic organisation."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    host: str = typer.Option("127.0.0.1", "--host"),
    seed: int = typer.Option(42, "--seed"),
    workdir: Path | None = typer.Option(
        None, "--workdir", help="Where the demo data and store go (default: a new temporary folder)."
    ),
    serve_after: bool = typer.Option(True, "--serve/--no-serve", help="Serve once built (default) or just build."),
) -> None:
    """Generate a synthetic organisation, ingest it, analyze it and serve it: one command to a working API."""
    try:  # refuse bad usage before anything is created or built
        check_people(people)
    except BadInput as exc:
        raise fail(str(exc)) from None
    if serve_after:
        check_can_listen(host, port)
        check_exposure(settings_or_exit(), host)
    base = workdir if workdir is not None else Path(tempfile.mkdtemp(prefix="whoknows-demo-"))
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise fail(f"cannot create {base}: {exc.strerror}") from None
    settings = settings_or_exit(store=f"sqlite:///{(base / 'whoknows.db').resolve()}")
    console.print(f"building the demo in {base}", highlight=False)
    build_demo(settings, base, people, seed)
    analyst = mint_token(settings, sub="demo-analyst", role=Role.ANALYST, ttl_s=7 * 86400)
    url = f"http://{host}:{port}/graphql"
    out.print(f"\nGraphiQL:       {url}#token={analyst}", highlight=False, soft_wrap=True)
    out.print(f"analyst token:  {analyst}", highlight=False, soft_wrap=True)
    out.print(f"store:          {settings.store}", highlight=False, soft_wrap=True)
    out.print(
        f"try:            curl -s {url} -H 'Authorization: Bearer {analyst}' -H 'Content-Type: application/json' "
        "-d '{\"query\": \"{ experts(skill: \\\"python\\\", first: 3) "
        "{ edges { node { explanation person { name } } } } }\"}'",
        highlight=False, soft_wrap=True,
    )
    with store_session(settings) as st:
        links = guarded(lambda: demo_links(settings, st, f"http://{host}:{port}"))
    out.print("\nsign in to the web pages (development links, valid "
              f"{settings.dev_link_ttl_s // 3600} h):", highlight=False)
    for role, (name, link) in links.items():
        out.print(f"  {role:<9} {name}: {link}", highlight=False, soft_wrap=True)
    if serve_after:
        check_can_listen(host, port)  # again: the build took a while, and the port may have been taken meanwhile
        _run_server(settings, host, port)


def demo_links(settings: Settings, store: GraphStore, base_url: str) -> dict[str, tuple[str, str]]:
    """One development sign-in link per role, each for a real, well-connected person of the demo organisation
    (so "who could introduce me" has someone to start from)."""
    from app.web.devlinks import dev_link

    ranked = [r.person for r in store.influencers(first=20)]
    if not ranked:
        ranked = [p for p in store.people(sorted(store.person_ids())[:50]).values() if p.active and not p.opted_out]
    if not ranked:
        raise BadInput("the demo organisation has no people to sign in as")
    picks = {Role.EMPLOYEE: ranked[min(9, len(ranked) - 1)], Role.ANALYST: ranked[min(1, len(ranked) - 1)],
             Role.ADMIN: ranked[0]}
    return {
        role.name.lower(): (p.name, dev_link(settings, base_url, p.id, p.name, role)) for role, p in picks.items()
    }
