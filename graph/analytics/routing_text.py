"""Title words as evidence: who answered questions worded like this one.

A forum question names its topic in its title as well as in its tags, and a tag is coarse (``espresso`` covers
machines, grinds and beans). Two classic expert-finding models read the words (Balog, Azzopardi & de Rijke 2006):

- model 1 (candidate model): one profile per person, the titles of the questions they answered, and
  ``log p(title | profile) - log p(title | forum)`` with Dirichlet smoothing (Zhai & Lafferty 2004), so a person
  with no profile scores 0 and one whose answered questions used the title's rarer words scores high; beside it
  BM25 of the title against the same profiles (Robertson & Zaragoza 2009);
- model 2 (document model): the past questions most like the title (BM25) each vote for the people who answered
  them, weighted by how alike they are.

Words: lower-cased, English stop words dropped (Lucene's default English set), plurals folded by Harman's (1991)
S-stemmer: a light rule that never merges unrelated words, where the titles are short and few.

References
----------
.. [1] Balog, K., Azzopardi, L. & de Rijke, M. (2006). Formal models for expert finding in enterprise corpora.
   Proc. SIGIR 2006, 43-50.
.. [2] Zhai, C. & Lafferty, J. (2004). A study of smoothing methods for language models applied to information
   retrieval. ACM TOIS 22(2), 179-214.
.. [3] Robertson, S. & Zaragoza, H. (2009). The probabilistic relevance framework: BM25 and beyond. Foundations
   and Trends in Information Retrieval 3(4), 333-389.
.. [4] Harman, D. (1991). How effective is suffixing? JASIS 42(1), 7-15.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse

# Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, and the words questions are phrased with ("how do i", "best way")
STOP_WORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not", "of",
    "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was", "will",
    "with",
    "i", "my", "me", "can", "do", "does", "how", "what", "when", "where", "which", "who", "why", "should", "would",
    "could", "any", "some", "best", "way", "vs", "get", "using", "use",
))
_TOKEN = re.compile(r"[^\W_][\w+#]*")  # letters of any script, digits; "c++" and "c#" stay words
K1, B = 1.2, 0.75  # BM25's usual constants (Robertson & Zaragoza 2009, section 3.5)
VOTERS = 20  # past questions that vote in model 2
MAX_DOCS = 50_000  # titled questions kept (the latest): about 2 MB stored with the router at most
TEXT_FEATURES: tuple[str, ...] = ("title_bm25", "title_lm", "title_vote")


def s_stem(word: str) -> str:
    """Harman's S-stemmer: the first rule that applies, of three.

    >>> [s_stem(w) for w in ("grinders", "cherries", "beans", "glass", "status", "brewes", "does")]
    ['grinder', 'cherry', 'bean', 'glass', 'status', 'brewe', 'doe']
    """
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss")):
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def title_terms(title: str) -> tuple[str, ...]:
    """The words of a title that carry its topic, stemmed, in order (repeats kept). Words of any script; accents
    folded (NFKD, combining marks dropped, as Lucene's ASCIIFoldingFilter does for Latin), since people type
    "cafe" for "café" and "Muhle" for "Mühle".

    >>> title_terms("How do I descale my Espresso machines? (Gaggia Classic)")
    ('descale', 'espresso', 'machine', 'gaggia', 'classic')
    >>> title_terms("Größe der Mühle für den Café-Crème"), title_terms("C++ or C# for Kafka?")
    (('grosse', 'der', 'muhle', 'fur', 'den', 'cafe', 'creme'), ('c++', 'c#', 'kafka'))
    """
    folded = "".join(c for c in unicodedata.normalize("NFKD", title[:1000].casefold())
                     if not unicodedata.combining(c))
    words = _TOKEN.findall(folded)
    return tuple(s_stem(w) for w in words if w not in STOP_WORDS and len(w) > 1)


def title_of(post: object) -> str | None:
    """A post's title, where its export has one (questions on Stack Exchange, Discourse topics)."""
    t = getattr(post, "title", None)
    return t if isinstance(t, str) and t.strip() else None


def _bm25(tf: sparse.csr_matrix, df: np.ndarray, n_docs: int) -> sparse.csr_matrix:
    """Each cell's BM25 weight: idf(t) tf (k1 + 1) / (tf + k1 (1 - b + b |d| / avg |d|))."""
    lengths = np.asarray(tf.sum(axis=1)).ravel()
    avg = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
    idf = np.log1p((n_docs - df + 0.5) / (df + 0.5))
    out = tf.tocoo(copy=True)
    norm = K1 * (1.0 - B + B * lengths[out.row] / avg)
    out.data = idf[out.col] * out.data * (K1 + 1.0) / (out.data + norm)
    return out.tocsr()


@dataclass
class TitleIndex:
    """The titles of the answered past questions (term ids into ``vocab``) and who answered each (indices into
    ``people``): all that both models need, small enough to store with the router."""

    vocab: list[str]
    people: list[str]
    docs: list[tuple[list[int], list[int]]]
    _built: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def build(cls, answered: Iterable[tuple[str | None, Iterable[str]]], visible: set[str] | None = None,
              limit: int = MAX_DOCS) -> TitleIndex:
        """From (title, answerers) of each answered question, oldest first. People not ``visible`` are left out (a
        question none of whose answerers may be shown leaves no word behind), and only the latest ``limit`` titled
        questions are kept: the index is stored with the router, and a forum's recent questions are the ones most
        like its next."""
        kept: list[tuple[tuple[str, ...], list[str]]] = []
        for title, who in answered:
            terms = title_terms(title) if title else ()
            ans = [p for p in dict.fromkeys(who) if visible is None or p in visible]
            if terms and ans:
                kept.append((terms, ans))
        vocab: dict[str, int] = {}
        people: dict[str, int] = {}
        docs = [([vocab.setdefault(t, len(vocab)) for t in terms], [people.setdefault(p, len(people)) for p in ans])
                for terms, ans in (kept[-limit:] if limit > 0 else [])]
        return cls(list(vocab), list(people), docs)

    def as_json(self) -> dict[str, Any]:
        return {"vocab": self.vocab, "people": self.people, "docs": [[t, a] for t, a in self.docs]}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> TitleIndex:
        return cls(list(d["vocab"]), list(d["people"]), [(list(t), list(a)) for t, a in d["docs"]])

    def _matrices(self) -> dict[str, Any]:
        if self._built:
            return self._built
        n_docs, n_terms, n_people = len(self.docs), len(self.vocab), len(self.people)
        rows = np.repeat(np.arange(n_docs), [len(t) for t, _ in self.docs])
        cols = np.fromiter((i for t, _ in self.docs for i in t), dtype=np.int64, count=len(rows))
        Q = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_docs, n_terms))  # repeats summed
        arows = np.repeat(np.arange(n_docs), [len(a) for _, a in self.docs])
        acols = np.fromiter((i for _, a in self.docs for i in a), dtype=np.int64, count=len(arows))
        A = sparse.csr_matrix((np.ones(len(arows)), (arows, acols)), shape=(n_docs, n_people))
        P = (A.T @ Q).tocsr()  # person x term: the words of the questions each person answered
        collection = np.asarray(P.sum(axis=0)).ravel()
        plen = np.asarray(P.sum(axis=1)).ravel()
        self._built.update(
            term={t: i for i, t in enumerate(self.vocab)}, person={p: i for i, p in enumerate(self.people)},
            A=A, P=P, plen=plen, mu=float(plen.mean()) if n_people else 1.0,
            p_term=(collection + 1.0) / (collection.sum() + n_terms + 1.0),
            PW=_bm25(P, np.asarray((P > 0).sum(axis=0)).ravel(), n_people).tocsc(),
            QW=_bm25(Q, np.asarray((Q > 0).sum(axis=0)).ravel(), n_docs).tocsc(),
        )
        return self._built

    def features(self, title: str | None, candidates: Sequence[str]) -> np.ndarray:
        """``(len(candidates), len(TEXT_FEATURES))``: BM25 of the title against each candidate's profile, model
        1's log-likelihood ratio, and model 2's vote (log1p); zeros for people with no profile or no title."""
        out = np.zeros((len(candidates), len(TEXT_FEATURES)))
        if not title or not self.docs or not len(candidates):
            return out
        m = self._matrices()
        q = sorted({m["term"][t] for t in title_terms(title) if t in m["term"]})
        if not q:
            return out
        rows = np.asarray([m["person"].get(p, -1) for p in candidates])
        has = rows >= 0
        if has.any():
            r = rows[has]
            out[has, 0] = np.asarray(m["PW"][:, q][r].sum(axis=1)).ravel()
            counts = m["P"][r][:, q].toarray()
            pt, mu = m["p_term"][q], m["mu"]
            ratio = np.log((counts + mu * pt) / (m["plen"][r][:, None] + mu)) - np.log(pt)
            out[has, 1] = ratio.sum(axis=1)
        sim = np.asarray(m["QW"][:, q].sum(axis=1)).ravel()
        top = np.argsort(-sim, kind="stable")[:VOTERS]
        top = top[sim[top] > 0]
        if len(top) and has.any():
            votes = np.asarray(m["A"][top].T @ sim[top]).ravel()  # per person
            out[has, 2] = np.log1p(votes[rows[has]])
        return out

    def overlap(self, title: str | None, person: str) -> tuple[list[str], int]:
        """What an explanation says of the title features: the title's words found in the titles ``person``
        answered (title order) and how many of those questions have one of them."""
        if not title or not self.docs:
            return [], 0
        m = self._matrices()
        row = m["person"].get(person)
        if row is None:
            return [], 0
        q = list(dict.fromkeys(t for t in title_terms(title) if t in m["term"]))
        ids = {m["term"][t] for t in q}
        answered = m["A"][:, row].nonzero()[0]
        n = sum(1 for d in answered.tolist() if ids.intersection(self.docs[d][0]))
        mine = set(m["P"][row].indices.tolist())
        return [t for t in q if m["term"][t] in mine], n


__all__ = ["STOP_WORDS", "TEXT_FEATURES", "TitleIndex", "s_stem", "title_of", "title_terms"]
