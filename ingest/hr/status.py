"""Employment status and yes/no values: the words HR systems use, and the mapping file's value maps.

A status column says whether a person still works here. Leavers load as inactive (never rejected for being one);
people on leave, on probation or not yet started stay active. Vocabularies known by default include Workday
(Active, On Leave, Terminated), BambooHR (Active/Inactive; Full-Time, Part-Time, Contractor, Terminated),
SAP SuccessFactors (active/inactive; Employee Central's Active, Paid Leave, Unpaid Leave, Suspended, Furlough,
Retired, Terminated, Discarded, Dormant, Reported No Show), Personio (active, onboarding, leave, inactive),
HiBob (Employed, Hired, Leave, Garden leave, Terminated), ADP (Active, Leave, Terminated, Deceased, Retired) and
free-text statuses such as "Voluntarily Terminated" or "Terminated for Cause", and the German and French words
of exports in those languages (aktiv, in Elternzeit, ausgeschieden; actif, en congé maternité, sorti).
Anything else is rejected for its row with a hint to add it to ``[values.active]`` in the mapping file, which
always wins::

    [values.active]
    "Leave of Absence" = true
    "Alumni" = false
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[\W_]+")
_ACCENTS = re.compile("[\u0300-\u036f]")  # Latin, Greek and Cyrillic diacritics (not kana voicing marks)

# with the German and French words (a "Widerspruch" column of ja/nein, "Refus annuaire" of oui/non)
_TRUE = frozenset({"true", "yes", "y", "1", "t", "on", "x", "ja", "j", "wahr", "oui", "vrai"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "off", "nein", "falsch", "non", "faux"})

# whole statuses, checked before the keyword rules (so "garden leave" is a leaver while "leave" is not)
STATUS_WORDS: Mapping[str, bool] = {
    "active": True, "employed": True, "current": True, "hired": True, "pre hire": True, "prehire": True,
    "onboarding": True, "new hire": True, "pending hire": True, "pending start": True, "not started": True,
    "leave": True, "on leave": True, "leave of absence": True, "loa": True, "paid leave": True,
    "unpaid leave": True, "parental leave": True, "maternity leave": True, "sick leave": True,
    "suspended": True, "furlough": True, "furloughed": True, "sabbatical": True, "probation": True,
    "full time": True, "part time": True, "fulltime": True, "parttime": True, "contractor": True, "intern": True,
    "temporary": True, "seasonal": True, "consultant": True, "freelancer": True, "working student": True,
    "inactive": False, "not active": False, "terminated": False, "termed": False, "garden leave": False,
    "voluntarily terminated": False, "involuntarily terminated": False, "terminated for cause": False,
    "resigned": False, "retired": False, "retiree": False, "deceased": False, "former": False,
    "former employee": False, "ended": False, "left": False, "leaver": False, "separated": False,
    "dismissed": False, "laid off": False, "discarded": False, "dormant": False, "reported no show": False,
    "no show": False, "withdrawn": False, "expired": False, "alumni": False, "alumnus": False, "exited": False,
    "end of contract": False, "contract ended": False, "offboarded": False, "contract expired": False,
    "archived": False, "term": False,
    # not yet started (Dayforce's Pre-Start, a future hire): employed from their start date, listed already
    "pre start": True, "prestart": True, "not yet started": True, "future hire": True, "future start": True,
    "awaiting start": True, "upcoming": True, "notice period": True, "on notice": True, "accepted": True,
    "offer accepted": True,
    # employment types in a status column (BambooHR's Employment Status, Rippling's and Gusto's): employed
    "temp": True, "fixed term": True, "permanent": True, "casual": True, "regular": True, "employee": True,
    "short term disability": True, "long term disability": True, "disability": True, "disability leave": True,
    "fmla": True, "workers comp": True, "workers compensation": True, "military leave": True,
    # an identity provider's account states (Okta, Entra ID, Active Directory, Google Workspace), as an export of
    # its users writes them: an account locked out, awaiting activation or with an expired password is a current
    # employee's ("expired" alone is a contract that ended); a deprovisioned, deactivated or disabled one a leaver's
    "staged": True, "provisioned": True, "recovery": True, "locked out": True, "password expired": True,
    "password reset": True, "pending user action": True, "pending activation": True, "enabled": True,
    "deprovisioned": False, "deactivated": False, "disabled": False, "account disabled": False,
    # German (Personio, SAP, HiBob in German): employed, on parental or other leave, in a dormant employment;
    # left, retired, deceased
    "aktiv": True, "beschaftigt": True, "angestellt": True, "in elternzeit": True, "elternzeit": True,
    "mutterschutz": True, "beurlaubt": True, "abwesend": True, "krankgeschrieben": True, "ruhend": True,
    "ruhendes arbeitsverhaltnis": True, "probezeit": True, "in probezeit": True, "vollzeit": True, "teilzeit": True,
    "befristet": True, "unbefristet": True, "werkstudent": True, "werkstudentin": True, "praktikant": True,
    "praktikantin": True, "auszubildender": True, "auszubildende": True, "azubi": True, "eingestellt": True,
    "inaktiv": False, "ausgeschieden": False, "ausgetreten": False, "ehemalig": False, "ehemaliger mitarbeiter": False,
    "im ruhestand": False, "pensioniert": False, "rentner": False, "verstorben": False, "entlassen": False,
    # notice given (as "terminated"), ended, exit, released from work (as "garden leave")
    "gekundigt": False, "beendet": False, "austritt": False, "freigestellt": False,
    # French: employed, on leave, on trial period; left, resigned, dismissed, retired, deceased
    "actif": True, "active e": True, "en poste": True, "en activite": True, "en conge": True, "conge": True,
    "en conge maternite": True, "conge maternite": True, "en conge parental": True, "conge parental": True,
    "en conge maladie": True, "arret maladie": True, "en periode d essai": True, "periode d essai": True,
    "cdi": True, "cdd": True, "stagiaire": True, "alternant": True, "apprenti": True, "temps plein": True,
    "temps partiel": True, "inactif": False, "inactive e": False, "sorti": False, "sortie": False,
    "parti": False, "partie": False, "ancien salarie": False, "demissionnaire": False, "demission": False,
    "licencie": False, "licenciement": False, "retraite": False, "decede": False, "fin de contrat": False,
}
# one-letter status codes (PeopleSoft's EMPL_STATUS, UKG Pro's and ADP's employee status, HR_STATUS's I), read as
# such in a column that holds a letter no yes/no value is: there "T" is Terminated, never "true"
STATUS_CODES: Mapping[str, bool] = {
    "a": True, "l": True, "p": True, "s": True, "w": True,  # active, leave (with pay), suspended, work break
    "t": False, "u": False, "v": False, "d": False, "r": False, "q": False, "x": False, "i": False,  # terminated
    # (with pay, pension pay-out), deceased, retired (with pay, pension administration), inactive
}
_FLAG_LETTERS = frozenset(v for v in _TRUE | _FALSE if len(v) == 1 and v.isalpha())


def status_codes(values: Iterable[Any]) -> dict[str, bool]:
    """The one-letter code table when a status column's values are codes (a letter that is no yes/no value among
    them, as ``A`` beside ``T``), else an empty table: ``t``/``f`` beside nothing else stay true/false."""
    letters = set()
    for v in values:
        if isinstance(v, str) and len(t := v.strip()) == 1 and t.isalpha():
            letters.add(t.casefold())
    return dict(STATUS_CODES) if letters - _FLAG_LETTERS else {}


def account_control(values: Iterable[Any]) -> dict[str, bool]:
    """The meaning of each value of Active Directory's ``userAccountControl`` (csvde, ``Get-ADUser``): a sum of
    flags, of which 2 (ACCOUNTDISABLE) marks a disabled account, a leaver's; ``512`` and ``66048`` are enabled.
    A value that is no number is left to the vocabularies (and rejected there).

    >>> account_control(["512", "514", "66048", "66050", "x", 512])
    {'512': True, '514': False, '66048': True, '66050': False}
    """
    out: dict[str, bool] = {}
    for v in values:
        t = _plain(v) if isinstance(v, int | float | str) else ""
        if t.isdigit():
            out[t] = not int(t) & 2
    return out


# stems that make any other status a leaver, then stems that make it a current employee
_LEAVER_STEMS = ("terminat", "resign", "retire", "deceas", "separat", "dismiss", "former", "inactive",
                 "leaver", "laidoff", "layoff", "redundan", "offboard", "withdrawn", "exited", "quit", "fired",
                 "expired", "inaktiv", "ausgeschieden", "ausgetreten", "austritt", "gekundigt", "ruhestand", "verstorb",
                 "inactif", "demission", "licenci", "retraite", "decede", "deprovision", "deactivat")
_CURRENT_STEMS = ("active", "employ", "leave", "loa", "onboard", "probation", "suspend", "furlough", "sabbatic",
                  "fulltime", "parttime", "contract", "intern", "temporary", "hire", "aktiv", "elternzeit",
                  "beurlaubt", "actif", "conge")


def fold(value: str) -> str:
    """Case, accents and punctuation folded; letters of every script kept (a name or a value in Cyrillic, Chinese
    or Arabic is no empty string, which would make them all one).

    >>> fold("Terminated - for Cause"), fold("Ó Súilleabháin"), fold("Алексей Иванов"), fold("山田 太郎")
    ('terminated for cause', 'o suilleabhain', 'алексеи иванов', '山田 太郎')
    """
    if value.isascii():
        return _WORD.sub(" ", value.lower()).strip()
    t = unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFKD", value))).casefold()
    return _WORD.sub(" ", t).strip()


def value_map(raw: Mapping[str, Any]) -> dict[str, bool]:
    """A mapping file's ``[values.<field>]`` table with folded keys."""
    return {fold(k): bool(v) for k, v in raw.items()}


def parse_flag(value: Any, default: bool, what: str, values: Mapping[str, bool] | None = None) -> bool:
    """A yes/no column (opted_out): true/false/yes/no/1/0/y/n (ja/nein, oui/non), the mapping's value map; blank ->
    default."""
    if isinstance(value, bool):
        return value
    t = _plain(value)
    if not t:
        return default
    f = fold(t)
    if values and f in values:
        return values[f]
    if f in _TRUE:
        return True
    if f in _FALSE:
        return False
    raise ValueError(f"{what} {t[:30]!r} is not a yes/no value; map it in [values.{what}] in --mapping")


def parse_status(value: Any, values: Mapping[str, bool] | None = None) -> bool:
    """Whether a status value means a current employee (True) or a leaver (False); blank -> True."""
    if isinstance(value, bool):
        return value
    t = _plain(value)
    if not t:
        return True
    f = fold(t)
    if values and f in values:
        return values[f]
    known = _known_status(f)
    if known is not None:
        return known
    raise ValueError(
        f"status {t[:40]!r} is not a known employment status; map it in [values.active] in --mapping "
        f'(e.g. "{t[:40]}" = false for a leaver)'
    )


@lru_cache(maxsize=4096)
def _known_status(f: str) -> bool | None:
    """The meaning of a folded status from the vocabularies and keyword rules, None when unknown (a column holds
    few distinct values, so this is cached)."""
    if f in _TRUE:
        return True
    if f in _FALSE:
        return False
    known = STATUS_WORDS.get(f)
    if known is not None:
        return known
    squashed = f.replace(" ", "")
    if squashed.startswith(("not", "non", "no")) and any(s in squashed for s in _CURRENT_STEMS):
        return False  # "not active", "non-employee", "no longer employed"
    if f.startswith(("ex ", "ex-")) and any(s in squashed for s in _CURRENT_STEMS):
        return False  # "Ex-employee", "ex-contractor": the employed word names what they were
    if any(s in squashed for s in _LEAVER_STEMS):
        return False
    if any(s in squashed for s in _CURRENT_STEMS):
        return True
    return None


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value).strip()
    raise ValueError(f"expected text, got a JSON {type(value).__name__}")


__all__ = ["STATUS_CODES", "STATUS_WORDS", "account_control", "fold", "parse_flag", "parse_status", "status_codes",
           "value_map"]
