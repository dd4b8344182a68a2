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
# (a list of steps, or {"steps": [...]}). Without it, the layout is the manifest: every file directly in /exports
# whose ending `whoknows ingest hris` reads and no other kind of file has (ingest/hr/suffixes.py: .csv .tsv .json
# .xlsx .xls .mht ...; a .txt, .xml or .html there is skipped and said: put it under hris/), and every file in
# /exports/hris/, is an HRIS export; every entry of /exports/<format>/ (stackexchange, slack,
# discourse, vivaengage, jsonl, teams, sharepoint) is a forum export of that format. Anything else there is skipped,
# and said on stderr (files and folders whose names start with "." are left alone).
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

from ingest.hr.suffixes import GENERIC, HR_SUFFIXES, is_hr_name

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


def skipped(path: Path, why: str) -> None:
    sys.stderr.write(f"whoknows-ingest: skipped {path}: {why}\n")


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
    visible = [p for p in sorted(exports.iterdir()) if not p.name.startswith(".")]
    top = [p for p in visible if p.is_file() and is_hr_name(p.name, generic=False)]
    for path in visible:
        if path in top:
            continue
        if path.is_file() and is_hr_name(path.name):
            skipped(path, f"{path.suffix} may be any file: an HR export with this ending goes under hris/")
        elif not (path.is_dir() and path.name in ("hris", *FORMATS)):
            skipped(path, "not a file whose name says an HR export ("
                    + " ".join(s for s in HR_SUFFIXES if s not in GENERIC)
                    + ") nor the hris/ or a forum format's folder")
    for path in [*top, *(sorted(hris.iterdir()) if hris.is_dir() else [])]:
        if path.name.startswith("."):
            continue
        if path.is_file():
            commands.append(["whoknows", "ingest", "hris", str(path), "--rejects", reject_file(f"hris-{path.name}")])
        else:
            skipped(path, "not a file: each HR export is one file under hris/")
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
        f"whoknows-ingest: nothing to load in {exports}: add a manifest.json, or people exports "
        f"({' '.join(HR_SUFFIXES)} files at the top, or any file under hris/) and forum exports under "
        f"{'/, '.join(FORMATS)}/\n"
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
