"""What the pages say, over plain HTTP (no browser): figures that agree from one page to the next, explanations
that match what is shown, and words spelled as people spell them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest

from app.auth import Role
from app.settings import Settings
from graph.store.sqlite import SQLiteStore
from tests.api.conftest import LiveServer
from tests.web.conftest import sign_in_link


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


@pytest.fixture(scope="module")
def analyst(web_app: LiveServer, web_settings: Settings) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web_app.url, timeout=60) as client:
        signed_in = client.get(sign_in_link(web_settings, web_app.url, "hr:E00001", "Ana Lyst", Role.ANALYST))
        assert signed_in.status_code == 303, signed_in.text
        yield client


def _list_rows(page: str) -> dict[str, list[str]]:
    """The communities list: community id -> its cells' text."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows: dict[str, list[str]] = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cid = re.search(r'href="/communities/([^"]+)"', tr)
        assert cid is not None
        rows[cid.group(1)] = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
    return rows


def test_first_response_reads_the_same_in_the_list_and_on_the_community_page(analyst: httpx.Client) -> None:
    """The list showed 'First response (h)' as '0.1' or '0.0' (hours to one place) while the community's own page
    said '8 min': one figure, two readings, and '0.0' reads as instant. Both now say it the same way."""
    page = analyst.get("/communities")
    assert page.status_code == 200
    assert "First response (h)" not in page.text
    compared = 0
    for cid, cells in list(_list_rows(page.text).items())[:12]:
        listed = _text(cells[6])
        if listed in ("–", "withheld") or "no health figures" in _text(cells[3]):
            continue
        own = analyst.get(f"/communities/{cid}")
        card = re.search(r"<dt>Median first response</dt><dd>(.*?)</dd>", own.text, re.S)
        assert card is not None, cid
        assert listed == _text(card.group(1)), (cid, listed, _text(card.group(1)))
        assert not re.fullmatch(r"0\.\d", listed), listed
        if listed.endswith(" min"):  # the chart beside the card counts in the same unit, not in tenths of hours
            assert "minutes (median)" in own.text, cid
        else:
            assert "hours (median)" in own.text, cid
        compared += 1
    assert compared >= 3


def test_a_missing_posts_trend_says_why(analyst: httpx.Client) -> None:
    """A '–' in the trend column said 'no data' (as the page defines it) and the legend blamed too few posts, while
    the usual reason was a withheld week in a busy community. Each '–' now carries its own reason, and the legend
    names both."""
    page = analyst.get("/communities")
    found = re.search(r'<p class="legend">(.*?)</p>', page.text, re.S)
    assert found is not None
    legend = _text(found.group(1))
    assert "withheld" in legend, legend
    assert "20 posts" in legend, legend
    missing = 0
    for cells in _list_rows(page.text).values():
        trend = cells[-1]
        if _text(trend).startswith("–"):
            reason = re.search(r'title="([^"]+)"', trend)
            assert reason is not None, trend
            assert reason.group(1) != "no data", trend
            assert f"({html.unescape(reason.group(1))})" in _text(trend)  # read out to screen readers too
            missing += 1
    assert missing, "the demo has communities without a trend"


def test_bridges_are_ordered_as_the_page_says(analyst: httpx.Client, demo_store: SQLiteStore) -> None:
    """The page said bridges were ranked by 'conversation partners on the other side', but the order was by the
    members of both communities they talk with, added together: a sales member talking with 4 k8s people ranked
    above an engineer talking with 12 sales people. Bridges are now ordered by their weaker side (a member counting
    one more there), then by the sum, and the page says so."""
    sizes = demo_store.community_sizes()
    a, b = sorted(sizes, key=lambda c: -sizes[c])[2:4]
    page = analyst.get("/plan/bridges", params={"a": a, "b": b})
    assert page.status_code == 200
    text = _text(page.text)
    assert "on the other side" not in text
    assert "then by their weaker side" in text
    body = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    keys = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        sides = [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)[3:5]]
        talks = [sum(int(m) for m in re.findall(r"talks with (\d+) member", s)) for s in sides if s != "–"]
        strength = [t + s.startswith("member") for t, s in zip(talks, [s for s in sides if s != "–"], strict=True)]
        keys.append((len(strength), min(strength), sum(talks)))
    assert len(keys) >= 3
    assert keys == sorted(keys, reverse=True), keys


def test_activity_totals_spell_replies(analyst: httpx.Client, demo_store: SQLiteStore) -> None:
    """'In all: 4 answers, 3 questions, 18 replys' on a person's page."""
    seen = ""
    for hit in demo_store.influencers(first=10):
        page = analyst.get(f"/people/{hit.person.id}")
        line = re.search(r"In all: ([^<]*)", page.text)
        if line:
            seen += line.group(1) + "\n"
    assert "replys" not in seen, seen
    assert re.search(r"\d+ (thread )?replies", seen), seen  # a chat's replies are thread replies


def test_a_measure_shared_by_every_card_is_explained_once(analyst: httpx.Client, demo_store: SQLiteStore) -> None:
    """The influencers page repeated the same two-line PageRank definition on each of its fifteen cards; it is now
    said once, under the list, and each card keeps its own value."""
    from app.graphql.rankings import INFLUENCE_MEANING

    skill = demo_store.skills(first=1)[0].name
    page = analyst.get("/plan/influencers", params={"skill": skill})
    assert page.status_code == 200
    cards = page.text.split('<ol class="results">', 1)[1].split("</ol>", 1)[0].split('<li class="card">')[1:]
    assert len(cards) >= 3
    assert all(re.search(r'<th scope="row">influence</th><td class="n">[0-9.e-]+</td></tr>', c) for c in cards)
    assert html.unescape(page.text).count(INFLUENCE_MEANING) == 1
    legend = page.text.split('<dl class="legend measures-legend">', 1)[1].split("</dl>", 1)[0]
    assert "<dt>influence</dt>" in legend


def test_top_contributors_show_accepted_answers_only_where_a_community_has_them(
    analyst: httpx.Client, demo_store: SQLiteStore
) -> None:
    """A Slack channel's top contributors carried an "Accepted" column of zeros (a chat has no accepted answers);
    the forum's keeps it."""
    kinds = {c.id: c.kind for c in demo_store.communities(first=100)}
    sizes = demo_store.community_sizes()
    channel = max((c for c in kinds if kinds[c] == "channel"), key=lambda c: sizes.get(c, 0))
    forum = max((c for c in kinds if kinds[c] == "forum"), key=lambda c: sizes.get(c, 0))
    headers = {}
    for cid in (channel, forum):
        page = analyst.get(f"/communities/{cid}")
        assert page.status_code == 200
        table = page.text.split('aria-label="Top contributors, table"', 1)[1].split("</thead>", 1)[0]
        headers[cid] = [_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]
    assert "Accepted" not in headers[channel]
    assert "Posts" in headers[channel]
    assert "Accepted" in headers[forum]


def test_larger_circles_have_more_ties_drawn(analyst: httpx.Client, demo_store: SQLiteStore) -> None:
    """The network page says "Larger circles have more ties", and each circle's tooltip gives its ties drawn, but
    circles were sized by recency-decayed strength: on a real forum the person at the centre, tied to everyone
    drawn, came out smaller than people with fewer, more recent ties."""
    top = demo_store.influencers(first=1)[0].person.id
    page = analyst.get("/plan/network", params={"person": top})
    assert page.status_code == 200
    assert "Larger circles have more ties" in _text(page.text)
    circles = [(int(n), float(r)) for n, r in re.findall(
        r'aria-label="[^"]*, (\d+) ties? drawn"><circle [^>]*r="([0-9.]+)"', page.text)]
    assert len({n for n, _ in circles}) >= 3, circles
    assert sorted(circles) == sorted(circles, key=lambda c: (c[1], c[0])), circles  # more ties, never smaller


def test_the_network_around_a_person_leaves_out_colleagues_who_have_left(
    analyst: httpx.Client, demo_store: SQLiteStore
) -> None:
    """The network page drew a person's former colleagues (inactive in HR) as people they reach, and drew the
    network around a leaver typed by id; leavers are reached no more, as on the seeds page."""
    everyone = demo_store.people(sorted(demo_store.person_ids()))
    left = {pid for pid, p in everyone.items() if not p.active}
    here = {pid for pid, p in everyone.items() if p.active and not p.opted_out and not p.bot}
    edges = [(a, b) for a, b, _ in demo_store.interactions_among(sorted(everyone))]
    degree = {p: sum(p in e for e in edges) for p in here}
    # the centre: someone still here, tied to a leaver, with the fewest ties (so every neighbour is drawn)
    centre, leaver = min(((a, b) if b in left else (b, a) for a, b in edges if (a in left) != (b in left)
                          and (a in here or b in here)), key=lambda pair: (degree[pair[0]], pair))
    assert left
    page = analyst.get("/plan/network", params={"person": centre})
    assert page.status_code == 200
    assert f"{everyone[centre].name} (" in _text(page.text)  # the centre's circle, named in its tooltip
    if everyone[leaver].name not in {everyone[p].name for p in here}:
        assert f"{everyone[leaver].name} (" not in _text(page.text)
    page = analyst.get("/plan/network", params={"person": leaver})
    assert "No one called" in _text(page.text)
