#!/bin/sh
# One-shot load of the exports mounted at /exports into the configured store, then `whoknows analyze`.
#
# With /exports/manifest.json, it says what to load, in order, in the project's manifest format (the one
# `whoknows demo-data` writes; paths relative to /exports):
#   [
#     {"kind": "hris", "path": "people.csv", "mapping": "columns.toml", "full": true, "aliases": "aliases.toml"},
#     {"kind": "forum", "format": "stackexchange", "path": "bicycles.meta", "community": "bicycles.meta",
#      "identities": "identities.csv"}
#   ]
# (a list of steps, or {"steps": [...]}). Without it, the layout is the manifest: every CSV or JSON file directly in
# /exports, and every file in /exports/hris/, is an HRIS export; every entry of /exports/<format>/ (stackexchange,
# slack, discourse, vivaengage, jsonl, teams, sharepoint) is a forum export of that format.
#
# Exit code: 0 all loaded; 1 some rows were rejected (reject files in /rejects) but everything else loaded and was
# analysed; anything else: the first command that failed outright (bad usage, unreadable input, store down).
set -eu

EXPORTS="${WHOKNOWS_EXPORTS:-/exports}"
REJECTS="${WHOKNOWS_REJECTS:-/rejects}"
mkdir -p "$REJECTS"

if [ ! -d "$EXPORTS" ]; then
    echo "whoknows-ingest: $EXPORTS does not exist: mount your exports there (./exports in docker-compose.yml)" >&2
    exit 2
fi

# One shell-quoted `whoknows ...` command per line, built from the manifest or the folder layout.
plan() {
    python3 - "$EXPORTS" "$REJECTS" <<'PY'
import json
import os
import shlex
import sys
from pathlib import Path

exports, rejects = Path(os.path.normpath(sys.argv[1])), Path(sys.argv[2])
FORMATS = ("stackexchange", "slack", "discourse", "vivaengage", "jsonl", "teams", "sharepoint")


def fail(message: str) -> None:
    sys.stderr.write(f"whoknows-ingest: {exports / 'manifest.json'}: {message}\n")
    sys.exit(2)


def inside(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        fail(f"{what} must be a non-empty path relative to {exports}")
    # lexically, so a symlink placed in the exports on purpose is followed, but `..` cannot climb out
    path = Path(os.path.normpath(exports / value))
    if exports not in (path, *path.parents):
        fail(f"{what} {value!r} points outside {exports}")
    if not path.exists():
        fail(f"{what} {value!r} does not exist")
    return str(path)


def reject_file(name: str) -> str:
    return str(rejects / (name.replace("/", "_") + ".rejects.jsonl"))


commands: list[list[str]] = []
manifest = exports / "manifest.json"
if manifest.is_file():
    try:
        spec = json.loads(manifest.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"not valid JSON: {exc}")
    steps = spec.get("steps") if isinstance(spec, dict) else spec
    if not isinstance(steps, list):
        fail("expected a JSON list of steps (or {\"steps\": [...]})")
    for n, step in enumerate(steps, start=1):
        if not isinstance(step, dict):
            fail(f"step {n} must be an object")
        kind = step.get("kind")
        path = inside(step.get("path"), f"step {n} path")
        extra = ["--aliases", inside(step["aliases"], f"step {n} aliases")] if step.get("aliases") else []
        if kind == "hris":
            cmd = ["whoknows", "ingest", "hris", path, *extra]
            if step.get("mapping"):
                cmd += ["--mapping", inside(step["mapping"], f"step {n} mapping")]
            if step.get("full"):
                cmd.append("--full")
        elif kind == "forum":
            fmt = step.get("format")
            if fmt not in FORMATS:
                fail(f"step {n}: format must be one of {', '.join(FORMATS)}, not {fmt!r}")
            cmd = ["whoknows", "ingest", "forum", path, "--format", fmt, *extra]
            if step.get("community"):
                cmd += ["--community", str(step["community"])]
            if step.get("identities"):
                cmd += ["--identities", inside(step["identities"], f"step {n} identities")]
        else:
            fail(f"step {n}: kind must be 'hris' or 'forum', not {kind!r}")
        commands.append([*cmd, "--rejects", reject_file(f"{n}-{kind}-{Path(path).name}")])
else:
    hris = exports / "hris"
    top = [p for p in sorted(exports.iterdir()) if p.suffix.lower() in (".csv", ".tsv", ".json", ".xlsx")]
    for path in [*top, *(sorted(hris.iterdir()) if hris.is_dir() else [])]:
        if path.is_file() and not path.name.startswith("."):
            commands.append(["whoknows", "ingest", "hris", str(path), "--rejects", reject_file(f"hris-{path.name}")])
    for fmt in FORMATS:
        folder = exports / fmt
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if not path.name.startswith("."):
                commands.append(
                    ["whoknows", "ingest", "forum", str(path), "--format", fmt,
                     "--rejects", reject_file(f"{fmt}-{path.name}")]
                )
if not commands:
    sys.stderr.write(
        f"whoknows-ingest: nothing to load in {exports}: add a manifest.json, or people CSV/JSON/.xlsx files (at the top "
        f"or under hris/) and forum exports under {'/, '.join(FORMATS)}/\n"
    )
    sys.exit(2)
for cmd in commands:
    print(shlex.join(cmd))
PY
}

PLAN="$(plan)"
worst=0
# the plan's lines are shlex-quoted by the planner, so eval only ever sees quoted paths
while IFS= read -r line; do
    [ -n "$line" ] || continue
    echo "whoknows-ingest: $line" >&2
    status=0
    eval "$line" || status=$?
    if [ "$status" -eq 1 ]; then
        worst=1 # rows rejected: the rest loaded, carry on
    elif [ "$status" -ne 0 ]; then
        echo "whoknows-ingest: stopped: the command above failed with exit code $status" >&2
        exit "$status"
    fi
done <<EOF
$PLAN
EOF

echo "whoknows-ingest: whoknows analyze" >&2
whoknows analyze
exit "$worst"
