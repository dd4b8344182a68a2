"""The bulk load's file work: whole tables written at the end, posts met again replaced, replies to absent posts
dropped. Our own lines only (graph/store/neo4j/bulk_csv.py writes them): every id is quoted, none holds a line break.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from graph.store.neo4j.bulk_csv import Table
from schema.models import Post

POST_FILES = ("posts.csv", "authored.csv", "in.csv", "tagged.csv")  # lines keyed by a post id
REPLY_RAW = "reply_to.raw"  # every REPLY_TO line; reply_to.csv keeps those whose parent exists

Row = dict[str, Any]
PostLines = Callable[[Post, IO[str], IO[str], IO[str], IO[str], IO[str]], None]


def write_table(path: Path, table: Table, rows: Iterable[Row]) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(table.header)
        for r in rows:
            f.write(table.line(r))
            n += 1
    return n


def write_rels(path: Path, table: Table, rows: Iterable[tuple[str, str, Row]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(table.header)
        for start, end, props in rows:
            f.write(table.line(props, start, end))
            n += 1
    return n


def cells(line: str) -> Iterator[str]:
    """The first two cells of one of our lines, unquoted (ids never hold a line break)."""
    i = 1
    for _ in range(2):
        j = i
        while True:
            j = line.index('"', j)
            if line.startswith('""', j):
                j += 2
                continue
            break
        yield line[i:j].replace('""', '"')
        i = j + 3


def replace_posts(d: Path, again: dict[str, Post], post_lines: PostLines) -> None:
    """Drop the earlier lines of posts met again and append their last version (the online store's update)."""
    for name in POST_FILES:
        src, tmp = d / name, d / (name + ".tmp")
        with src.open(encoding="utf-8", newline="") as f, tmp.open("w", encoding="utf-8", newline="") as out:
            out.write(f.readline())
            for line in f:
                ids = cells(line)
                first = next(ids)
                post = next(ids) if name == "authored.csv" else first
                if post not in again:
                    out.write(line)
        os.replace(tmp, src)
    raw = d / REPLY_RAW
    tmp = d / "reply_to.raw.tmp"
    with raw.open(encoding="utf-8", newline="") as f, tmp.open("w", encoding="utf-8", newline="") as out:
        out.write(f.readline())
        for line in f:
            if next(cells(line)) not in again:
                out.write(line)
    os.replace(tmp, raw)
    files = {n: (d / n).open("a", encoding="utf-8", newline="") for n in (*POST_FILES, REPLY_RAW)}
    try:
        for r in again.values():
            post_lines(r, *(files[n] for n in (*POST_FILES, REPLY_RAW)))
    finally:
        for f in files.values():
            f.close()


def filter_replies(raw: Path, out_path: Path, posts: set[str]) -> None:
    """REPLY_TO lines whose parent exists: the online store links a reply once both posts are stored."""
    with raw.open(encoding="utf-8", newline="") as f, out_path.open("w", encoding="utf-8", newline="") as out:
        out.write(f.readline())
        for line in f:
            ids = cells(line)
            next(ids)
            if next(ids) in posts:
                out.write(line)
    raw.unlink()


__all__ = ["POST_FILES", "REPLY_RAW", "cells", "filter_replies", "replace_posts", "write_rels", "write_table"]
