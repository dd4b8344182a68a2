"""Writers of the synthetic organisation as real export files (I/O only; the content is decided elsewhere).

Formats follow real exports: an HRIS CSV, a Stack Exchange data dump (``<?xml ...?>`` + one ``<row/>`` per line,
UTF-8 with a byte-order mark as in the published dumps), a Slack workspace export folder and generic JSON lines.
Large files are streamed in chunks, never built as one string.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.demo.catalog import (
    DEPARTMENTS,
    GENERAL_TAGS,
    LOCATIONS,
    OBJECTS,
    REACTIONS,
    SLACK_REPLIES,
    SLACK_ROOTS,
    SOCIAL,
    TASKS,
)
from ingest.demo.endorse_sim import Endorsements
from ingest.demo.org import Org, ascii_fold
from ingest.demo.sampling import DAY
from ingest.demo.se_sim import StackExchangeSim
from ingest.demo.slack_sim import BOTS, KIND_BOT, KIND_JOIN, KIND_LEAVE, KIND_REPLY, KIND_ROOT, SlackSim

SE_SITE = "demo"
_TITLE_FORMS = len(TASKS) * len(OBJECTS) * 4
CHUNK = 20_000
BOM = "\ufeff"
HRIS_COLUMNS = ("id", "name", "email", "title", "department", "location", "manager_id", "hire_date", "skills",
                "opted_out", "active")
_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("\n", "&#xA;"), ("\r", "&#xD;"),
            ("\t", "&#x9;"))
COMMENT_TEXTS = ("Thanks, that worked for me.", "Could you add the error message?", "Which version are you on?",
                 "See also the runbook in the wiki.", "This changed in the last release.",
                 "Did you try restarting it first?", "+1, we hit the same problem.", "Great answer & very clear!")
ANSWER_BODIES = ("<p>We solved this by pinning the version and adding a check to CI.</p>",
                 "<p>Short answer: it depends on the setup, see the runbook.</p>",
                 "<p>Use the shared template; it already handles the edge cases.</p>",
                 "<p>Ask the owning team to enable the flag, then retry.</p>")


def xml_attr(text: str) -> str:
    """Escape text for a double-quoted XML attribute (newlines kept as character references).

    >>> xml_attr('R&D "golden" <main>')
    'R&amp;D &quot;golden&quot; &lt;main&gt;'
    """
    for raw, ref in _ESCAPES:  # chained replace: much faster than str.translate with a dict in CPython
        if raw in text:
            text = text.replace(raw, ref)
    return text


def iso_ms(t: np.ndarray) -> list[str]:
    """Unix seconds to Stack Exchange timestamps ``2024-01-02T10:00:00.123`` (UTC, no zone)."""
    ms = np.floor(np.asarray(t, np.float64) * 1000).astype(np.int64).astype("datetime64[ms]")
    return np.datetime_as_string(ms, unit="ms").tolist()


def iso_z(t: np.ndarray) -> list[str]:
    """Unix seconds to ISO 8601 UTC with a ``Z``: ``2024-01-02T10:00:00Z``."""
    s = np.floor(np.asarray(t, np.float64)).astype(np.int64).astype("datetime64[s]")
    return [x + "Z" for x in np.datetime_as_string(s, unit="s").tolist()]


def _rows_file(path: Path, root: str, rows: Iterable[str]) -> int:
    """Stream ``<row .../>`` lines into a dump file; returns the number of rows."""
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write(f'{BOM}<?xml version="1.0" encoding="utf-8"?>\n<{root}>\n')
        buf: list[str] = []
        for row in rows:
            buf.append(row)
            if len(buf) >= CHUNK:
                f.write("".join(buf))
                n += len(buf)
                buf.clear()
        f.write("".join(buf))
        n += len(buf)
        f.write(f"</{root}>")
    return n


# --- HRIS ---------------------------------------------------------------------------------------------


def write_hris(path: Path, org: Org) -> int:
    order = sorted(range(org.n_hr), key=lambda i: org.hr_ids[i])
    hire = np.datetime_as_string(org.hire_day, unit="D").tolist()
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HRIS_COLUMNS)
        for i in order:
            m = int(org.manager[i])
            d = int(org.dept[i])
            w.writerow((
                org.hr_ids[i],
                org.name(i),
                org.email[i],
                org.title[i],
                DEPARTMENTS[d].name if d >= 0 else "Executive",
                LOCATIONS[int(org.location[i])].name,
                org.hr_ids[m] if m >= 0 else "",
                hire[i],
                ";".join(text for _, text in org.declared[i]),
                "true" if org.opted_out[i] else "false",
                "true" if org.active[i] else "false",
            ))
    return org.n_hr


# --- Stack Exchange -----------------------------------------------------------------------------------


@dataclass
class SEAccounts:
    person: np.ndarray  # per account in Id order (Id = index + 1): person index
    created: np.ndarray
    last_access: np.ndarray
    reputation: np.ndarray
    account_id: np.ndarray
    user_id: np.ndarray  # per person: Stack Exchange user Id, or -1


def se_accounts(org: Org, se: StackExchangeSim, rng: np.random.Generator) -> SEAccounts:
    """Accounts for everybody who posted, plus some silent ones; Ids follow creation dates as in real dumps."""
    n = org.n
    who = np.r_[se.owner, se.c_user]
    when = np.r_[se.t, se.c_t]
    keep = who >= 0
    who, when = who[keep], when[keep]
    first = np.full(n, np.inf)
    np.minimum.at(first, who, when)
    last = np.full(n, -np.inf)
    np.maximum.at(last, who, when)
    posted = np.isfinite(first)
    silent = ~posted & (rng.random(n) < 0.1)
    silent[org.n_hr :] = False
    site_start = org.tl.t0 - 365 * DAY
    lower = np.maximum(org.joined_t, site_start)
    created = np.where(
        posted,
        np.minimum(np.maximum(first - rng.uniform(0, 30 * DAY, n), lower), first),
        lower + rng.random(n) * np.maximum(org.end_t - lower, 0),
    )
    people = np.flatnonzero(posted | silent)
    people = people[np.argsort(created[people], kind="stable")]
    rep = np.ones(n, np.int64)
    owner_ok = se.owner >= 0
    gain = 10 * se.up - 2 * se.down
    np.add.at(rep, se.owner[owner_ok], gain[owner_ok])
    acc = se.accepted >= 0
    np.add.at(rep, np.maximum(se.owner[se.accepted[acc]], 0), 15 * (se.owner[se.accepted[acc]] >= 0))
    rep = np.maximum(rep, 1)
    user_id = np.full(n, -1, np.int64)
    user_id[people] = np.arange(1, people.size + 1)
    account_id = 10_000 + np.cumsum(rng.integers(1, 5_000, people.size))
    return SEAccounts(
        person=people,
        created=created[people],
        last_access=np.where(posted[people], np.maximum(last[people], created[people]), created[people]),
        reputation=rep[people],
        account_id=rng.permutation(account_id),
        user_id=user_id,
    )


def _display_name(org: Org, i: int, u: float, k: int) -> str:
    if u < 0.7:
        return org.name(i)
    if u < 0.9:
        return f"{org.first[i]} {org.last[i][0]}."
    return f"{ascii_fold(org.first[i])}{ascii_fold(org.last[i])[:3]}{k % 1000}"


def write_stackexchange(folder: Path, org: Org, se: StackExchangeSim, acc: SEAccounts,
                        votes: tuple[np.ndarray, np.ndarray, np.ndarray], rng: np.random.Generator) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    counts["se_users"] = _rows_file(folder / "Users.xml", "users", _user_rows(org, acc, rng))
    counts["se_posts"] = _rows_file(folder / "Posts.xml", "posts", _post_rows(org, se, acc, rng))
    counts["se_comments"] = _rows_file(folder / "Comments.xml", "comments", _comment_rows(se, acc))
    counts["se_votes"] = _rows_file(folder / "Votes.xml", "votes", _vote_rows(*votes))
    counts["se_tags"] = _rows_file(folder / "Tags.xml", "tags", _tag_rows(org, se))
    return counts


def _user_rows(org: Org, acc: SEAccounts, rng: np.random.Generator) -> Iterator[str]:
    yield ('  <row Id="-1" Reputation="1" CreationDate="2023-01-01T00:00:00.000" DisplayName="Community" '
           'LastAccessDate="2023-01-01T00:00:00.000" Location="on the server farm" AccountId="-1" />\n')
    created = iso_ms(acc.created)
    last = iso_ms(acc.last_access)
    u = rng.random(acc.person.size)
    show_loc = rng.random(acc.person.size) < 0.5
    for k, i in enumerate(acc.person.tolist()):
        loc = f' Location="{xml_attr(LOCATIONS[int(org.location[i])].name)}"' if show_loc[k] else ""
        yield (f'  <row Id="{k + 1}" Reputation="{acc.reputation[k]}" CreationDate="{created[k]}" '
               f'DisplayName="{xml_attr(_display_name(org, i, float(u[k]), k))}" LastAccessDate="{last[k]}"{loc} '
               f'AccountId="{acc.account_id[k]}" />\n')


@lru_cache(maxsize=65_536)
def escaped_question(label: str, seed: int) -> tuple[str, str]:
    """Title and body of a question, escaped for XML (few distinct values, so cached)."""
    title, body = question_title(label, seed)
    return xml_attr(title), xml_attr(body)


def question_title(label: str, seed: int) -> tuple[str, str]:
    task = TASKS[seed % len(TASKS)]
    obj = OBJECTS[(seed // len(TASKS)) % len(OBJECTS)]
    form = (seed // (len(TASKS) * len(OBJECTS))) % 4
    title = (f"How do I {task} {obj} with {label}?", f"Best way to {task} {obj} using {label}",
             f"{label}: cannot {task} {obj}", f"Why is it so hard to {task} {obj} in {label}?")[form]
    body = f"<p>We need to {task} {obj}. What is the recommended approach with {label}?</p>"
    return title, body


def _post_rows(org: Org, se: StackExchangeSim, acc: SEAccounts, rng: np.random.Generator) -> Iterator[str]:
    created = iso_ms(se.t)
    last = iso_ms(se.last_activity)
    score = se.score.tolist()
    views = (se.up * 20 + se.answer_count * 10 + rng.integers(5, 120, se.t.size)).tolist()
    tags = [s.tag for s in org.skills]
    labels = [s.label for s in org.skills]
    owner_uid = np.where(se.owner >= 0, acc.user_id[np.maximum(se.owner, 0)], -1).tolist()
    ghost = rng.integers(10_000, 99_999, se.t.size).tolist()
    kind, parent, accepted = se.kind.tolist(), se.parent.tolist(), se.accepted.tolist()
    skill, tag2, gtag, title = se.skill.tolist(), se.tag2.tolist(), se.gtag.tolist(), se.title.tolist()
    ac, cc = se.answer_count.tolist(), se.comment_count.tolist()
    answer_bodies = [xml_attr(b) for b in ANSWER_BODIES]
    for i in range(se.t.size):
        uid = owner_uid[i]
        owner = f'OwnerUserId="{uid}"' if uid > 0 else f'OwnerDisplayName="user{ghost[i]}"'
        if kind[i] == 1:
            s = skill[i]
            t = f"|{tags[s]}|" + (f"{tags[tag2[i]]}|" if tag2[i] >= 0 else "")
            t += f"{GENERAL_TAGS[gtag[i]]}|" if gtag[i] >= 0 else ""
            title_text, body = escaped_question(labels[s], title[i] % _TITLE_FORMS)
            acc_attr = f' AcceptedAnswerId="{accepted[i] + 1}"' if accepted[i] >= 0 else ""
            yield (f'  <row Id="{i + 1}" PostTypeId="1"{acc_attr} CreationDate="{created[i]}" Score="{score[i]}" '
                   f'ViewCount="{views[i]}" Body="{body}" {owner} LastActivityDate="{last[i]}" '
                   f'Title="{title_text}" Tags="{xml_attr(t)}" AnswerCount="{ac[i]}" '
                   f'CommentCount="{cc[i]}" ContentLicense="CC BY-SA 4.0" />\n')
        else:
            body = answer_bodies[i % len(answer_bodies)]
            yield (f'  <row Id="{i + 1}" PostTypeId="2" ParentId="{parent[i] + 1}" CreationDate="{created[i]}" '
                   f'Score="{score[i]}" Body="{body}" {owner} LastActivityDate="{last[i]}" '
                   f'CommentCount="{cc[i]}" ContentLicense="CC BY-SA 4.0" />\n')


def _comment_rows(se: StackExchangeSim, acc: SEAccounts) -> Iterator[str]:
    created = iso_ms(se.c_t)
    post, score = se.c_post.tolist(), se.c_score.tolist()
    uid = acc.user_id[se.c_user].tolist()
    texts = [xml_attr(t) for t in COMMENT_TEXTS]
    for k in range(len(created)):
        yield (f'  <row Id="{k + 1}" PostId="{post[k] + 1}" Score="{score[k]}" Text="{texts[(k * 7) % len(texts)]}" '
               f'CreationDate="{created[k]}" UserId="{uid[k]}" ContentLicense="CC BY-SA 4.0" />\n')


def _vote_rows(post: np.ndarray, vtype: np.ndarray, day: np.ndarray) -> Iterator[str]:
    days = np.datetime_as_string(day, unit="D").tolist()
    p, v = post.tolist(), vtype.tolist()
    for k in range(len(days)):
        yield f'  <row Id="{k + 1}" PostId="{p[k] + 1}" VoteTypeId="{v[k]}" CreationDate="{days[k]}T00:00:00.000" />\n'


def _tag_rows(org: Org, se: StackExchangeSim) -> Iterator[str]:
    names: list[str] = []
    counts: dict[str, int] = {}
    q = np.flatnonzero(se.kind == 1)
    tags = [s.tag for s in org.skills]
    for s, t2, g in zip(se.skill[q].tolist(), se.tag2[q].tolist(), se.gtag[q].tolist(), strict=True):
        for name in (tags[s], tags[t2] if t2 >= 0 else None, GENERAL_TAGS[g] if g >= 0 else None):
            if name is None:
                continue
            if name not in counts:
                names.append(name)
                counts[name] = 0
            counts[name] += 1
    for k, name in enumerate(names):
        yield f'  <row Id="{k + 1}" TagName="{xml_attr(name)}" Count="{counts[name]}" />\n'


def write_identities(path: Path, org: Org, acc: SEAccounts) -> tuple[int, int]:
    """``source,handle,person_id`` for every account of an HR person; contractors' accounts stay unmapped."""
    mapped = unmapped = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("source", "handle", "person_id"))
        for k, i in enumerate(acc.person.tolist()):
            if i < org.n_hr:
                w.writerow((f"stackexchange/{SE_SITE}", k + 1, f"hr:{org.hr_ids[i]}"))
                mapped += 1
            else:
                unmapped += 1
    return mapped, unmapped


# --- Slack --------------------------------------------------------------------------------------------

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"[:32]


def slack_code(k: int, salt: int) -> str:
    """A stable 8-character Slack-like id body; distinct ``k`` give distinct codes (odd multiplier mod 2**40)."""
    v = (k * 0x9E3779B1 + salt) % (1 << 40)
    out = []
    for _ in range(8):
        out.append(_ALPHABET[v & 31])
        v >>= 5
    return "".join(reversed(out))


@dataclass
class SlackIds:
    user: list[str]  # per person ("" when the person has no account)
    bot_user: list[str]
    bot_id: list[str]
    channel: list[str]


def slack_ids(org: Org, n_channels: int) -> SlackIds:
    user = [f"U{slack_code(i, 17)}" if org.has_slack[i] else "" for i in range(org.n)]
    bot_user = [f"U{slack_code(org.n + k, 17)}" for k in range(len(BOTS))]
    bot_id = [f"B{slack_code(k, 71)}" for k in range(len(BOTS))]
    channel = [f"C{slack_code(c, 29)}" for c in range(n_channels)]
    return SlackIds(user, bot_user, bot_id, channel)


def write_slack(folder: Path, org: Org, sl: SlackSim, rng: np.random.Generator,
                on_channel: Callable[[int, int], None] | None = None) -> dict[str, int]:
    folder.mkdir(parents=True, exist_ok=True)
    ids = slack_ids(org, len(sl.channels))
    team = f"T{slack_code(1, 5)}"
    # users.json: people with an account (leavers deleted), guests, bots; e-mails are the HR ones, case varies
    variant = rng.random(org.n) < 0.07
    users: list[dict] = []
    for i in range(org.n):
        if not org.has_slack[i]:
            continue
        email = org.email[i]
        if variant[i]:
            local, _, domain = email.partition("@")
            email = ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize()
        hr = i < org.n_hr
        title = org.title[i] if hr else "Contractor"
        users.append({
            "id": ids.user[i], "team_id": team, "name": email.partition("@")[0].lower(),
            "deleted": bool(hr and not org.active[i]), "real_name": org.name(i),
            "tz_offset": int(org.utc_offset[i] * 3600),
            "profile": {"title": title, "real_name": org.name(i), "display_name": org.first[i],
                        "first_name": org.first[i], "last_name": org.last[i], "email": email, "team": team},
            "is_admin": bool(hr and org.role[i] >= 3), "is_owner": i == 0, "is_bot": False, "is_app_user": False,
            "is_restricted": not hr, "updated": int(org.tl.t1) - 86_400,
        })
    for k, (name, real) in enumerate(BOTS):
        users.append({
            "id": ids.bot_user[k], "team_id": team, "name": name, "deleted": False, "real_name": real,
            "profile": {"real_name": real, "display_name": name, "bot_id": ids.bot_id[k], "team": team},
            "is_admin": False, "is_owner": False, "is_bot": True, "is_app_user": False, "updated": int(org.tl.t1),
        })
    users.sort(key=lambda u: u["id"])
    _json_list(folder / "users.json", users)

    chans = []
    for c, ch in enumerate(sl.channels):
        members = sorted(ids.user[i] for i in ch.members.tolist() if ids.user[i])
        creator = members[0] if members else ids.user[0]
        chans.append({
            "id": ids.channel[c], "name": ch.name, "created": int(ch.created), "creator": creator,
            "is_archived": False, "is_general": ch.kind == "general", "members": members,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": ch.purpose, "creator": creator, "last_set": int(ch.created)},
        })
    _json_list(folder / "channels.json", chans)

    # messages, channel by channel and day by day
    who = ids.user
    order = np.lexsort((np.arange(sl.t.size), sl.t, sl.ch))
    ch_sorted = sl.ch[order]
    bounds = np.searchsorted(ch_sorted, np.arange(len(sl.channels) + 1))
    seq = np.empty(sl.t.size, np.int64)
    for c in range(len(sl.channels)):
        a, b = int(bounds[c]), int(bounds[c + 1])
        if b - a >= 1_000_000:
            raise ValueError(f"channel {sl.channels[c].name} has more than 999,999 messages")
        seq[order[a:b]] = np.arange(1, b - a + 1)
    secs = np.floor(sl.t).astype(np.int64).tolist()
    ts = [f"{s}.{q:06d}" for s, q in zip(secs, seq.tolist(), strict=True)]
    user_l, kind_l, root_l = sl.user.tolist(), sl.kind.tolist(), sl.root.tolist()
    uids = [who[u] if u >= 0 else ids.bot_user[-1 - u] for u in user_l]  # per message
    text_l, skill_l = sl.text.tolist(), sl.skill.tolist()
    replies: dict[int, list[int]] = {}
    rep_idx = np.flatnonzero(sl.kind == KIND_REPLY)
    rep_idx = rep_idx[np.lexsort((sl.t[rep_idx], sl.root[rep_idx]))]
    for r in rep_idx.tolist():
        replies.setdefault(root_l[r], []).append(r)
    labels = [s.label for s in org.skills]
    off, ru = sl.react_off.tolist(), sl.react_user.tolist()
    emoji0, emoji1 = sl.react_emoji[:, 0].tolist(), sl.react_emoji[:, 1].tolist()
    day_of = np.datetime_as_string((np.floor(sl.t / DAY)).astype(np.int64).astype("datetime64[D]"), unit="D").tolist()
    services = ("api", "web", "worker", "billing-svc", "search-svc", "auth")
    files = 0
    messages = 0
    for c, ch in enumerate(sl.channels):
        a, b = int(bounds[c]), int(bounds[c + 1])
        if on_channel is not None:
            on_channel(c, len(sl.channels))
        if a == b:
            continue
        cdir = folder / ch.name
        cdir.mkdir(exist_ok=True)
        day_msgs: list[dict] = []
        current = day_of[int(order[a])]
        dept = ch.name.split("-")[1] if ch.kind == "team" else ""
        for m in order[a:b].tolist():
            if day_of[m] != current:
                _json_day(cdir / f"{current}.json", day_msgs)
                files += 1
                day_msgs = []
                current = day_of[m]
            u, k, seed = user_l[m], kind_l[m], text_l[m]
            msg: dict = {"type": "message"}
            label = labels[skill_l[m]] if skill_l[m] >= 0 else (dept or "this")
            if k in (KIND_JOIN, KIND_LEAVE):
                msg["subtype"] = "channel_join" if k == KIND_JOIN else "channel_leave"
                msg["user"] = uids[m]
                msg["text"] = f"<@{uids[m]}> has {'joined' if k == KIND_JOIN else 'left'} the channel"
            elif k == KIND_BOT:
                bot = -1 - u
                name = BOTS[bot][0]
                if name == "github":
                    msg.update({"subtype": "bot_message", "bot_id": ids.bot_id[bot], "username": "github",
                                "text": f"[{ch.name}:main] {1 + seed % 4} new commit(s) by {org.first[seed % org.n]}"})
                else:
                    text = (f"Deployed `{services[seed % len(services)]}` v{seed % 7}.{seed % 13}.{seed % 29} "
                            "to production") if name == "deploybot" else "Poll: which day works best for the offsite?"
                    msg.update({"user": uids[m], "bot_id": ids.bot_id[bot], "text": text,
                                "bot_profile": {"id": ids.bot_id[bot], "name": name}})
            elif k == KIND_ROOT:
                msg["user"] = uids[m]
                if ch.kind == "random":
                    msg["text"] = SOCIAL[seed % len(SOCIAL)]
                else:
                    msg["text"] = SLACK_ROOTS[seed % len(SLACK_ROOTS)].format(
                        task=TASKS[(seed >> 3) % len(TASKS)], obj=OBJECTS[(seed >> 7) % len(OBJECTS)], skill=label)
            else:
                root = root_l[m]
                root_uid = uids[root]
                msg["user"] = uids[m]
                msg["text"] = SLACK_REPLIES[seed % len(SLACK_REPLIES)].format(root=root_uid, skill=label)
                msg["thread_ts"] = ts[root]
                msg["parent_user_id"] = root_uid
            msg["ts"] = ts[m]
            thread = replies.get(m)
            if thread:
                users_in = list(dict.fromkeys(uids[r] for r in thread))
                msg.update({"thread_ts": ts[m], "reply_count": len(thread), "reply_users_count": len(users_in),
                            "latest_reply": ts[thread[-1]], "reply_users": users_in,
                            "replies": [{"user": uids[r], "ts": ts[r]} for r in thread]})
            if off[m + 1] > off[m]:
                author = msg.get("user")
                reactors = [x for x in dict.fromkeys(who[p] for p in ru[off[m] : off[m + 1]] if p >= 0)
                            if x and x != author]
                e0, e1 = emoji0[m], emoji1[m]
                if len(reactors) >= 3 and e0 != e1:
                    half = (len(reactors) + 1) // 2
                    msg["reactions"] = [{"name": REACTIONS[e0], "users": reactors[:half], "count": half},
                                        {"name": REACTIONS[e1], "users": reactors[half:],
                                         "count": len(reactors) - half}]
                elif reactors:
                    msg["reactions"] = [{"name": REACTIONS[e0], "users": reactors, "count": len(reactors)}]
            day_msgs.append(msg)
            messages += 1
        _json_day(cdir / f"{current}.json", day_msgs)
        files += 1
    return {"slack_users": len(users), "slack_channels": len(chans), "slack_messages": messages, "slack_files": files}


def _json_list(path: Path, items: list[dict]) -> None:
    """A JSON array with one item per line (valid JSON, streamable, diff-friendly)."""
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("[\n")
        for k, item in enumerate(items):
            f.write(json.dumps(item, ensure_ascii=False))
            f.write(",\n" if k + 1 < len(items) else "\n")
        f.write("]\n")


def _json_day(path: Path, msgs: list[dict]) -> None:
    path.write_text(json.dumps(msgs, ensure_ascii=False), encoding="utf-8")


# --- endorsements (generic JSON lines) ----------------------------------------------------------------


def write_endorsements(path: Path, org: Org, en: Endorsements, rng: np.random.Generator) -> int:
    handles = sorted(set(en.src.tolist()) | set(en.dst.tolist()), key=lambda i: org.hr_ids[i])
    created = iso_z(en.t)
    alias = rng.random(en.t.size) < 0.25
    with path.open("w", encoding="utf-8", newline="\n") as f:
        for i in handles:
            f.write(json.dumps({"type": "person", "handle": org.hr_ids[i], "name": org.name(i), "email": org.email[i]},
                               ensure_ascii=False) + "\n")
        for k, (s, d, sk) in enumerate(zip(en.src.tolist(), en.dst.tolist(), en.skill.tolist(), strict=True)):
            skill = org.skills[sk]
            name = skill.hr_forms[k % len(skill.hr_forms)] if alias[k] else skill.canonical
            f.write(json.dumps({"type": "endorsement", "from": org.hr_ids[s], "to": org.hr_ids[d], "skill": name,
                                "created_at": created[k]}, ensure_ascii=False) + "\n")
    return int(en.t.size)
