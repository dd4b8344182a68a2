"""Which text encoding an HR export is in, and its text.

UTF-8 (with or without a BOM) and UTF-16 with a BOM (Excel's "Unicode text") are read as such. A file that is not
UTF-8 is what Excel's plain "CSV" writes on Windows: a one-byte code page (cp1252 in Western Europe, "Müller" with
ü as the single byte 0xFC). Its encoding is detected with charset-normalizer, and the guess is said (``guessed``)
so that a wrong one shows in the report. Short Western-European files fit several code pages equally well
(cp1250 reads "Lefèvre" as "Lefčvre"): among equally good readings, cp1252 (Windows' Western default) is taken. When
the best readings disagree and none is cp1252, or nothing reads well, the file is refused, naming the candidates.

A file with valid UTF-8 multi-byte characters and a few bytes that are not is UTF-8 with damaged rows: it stays
UTF-8, and each row holding such a byte is rejected alone (:mod:`ingest.hr.read`). An encoding set in the mapping
always wins.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schema.errors import UnreadableInput

if TYPE_CHECKING:
    from charset_normalizer import CharsetMatch

WESTERN = "cp1252"  # Excel's "CSV" on a Western-European Windows
_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


@dataclass(frozen=True)
class Decoded:
    """An export's text (undecodable bytes as lone surrogates), the encoding read, and why it was guessed."""

    text: str
    encoding: str  # a codec name ("utf-8-sig", "utf-16", "cp1252")
    guessed: str | None = None  # None unless detected: then why ("not UTF-8 (bytes 0xe9 0xfc)")

    @property
    def label(self) -> str:
        return "UTF-8" if is_utf8(self.encoding) else self.encoding


def is_utf8(encoding: str) -> bool:
    return encoding.replace("_", "-").lower() in ("utf-8-sig", "utf-8", "utf8")


def decode_export(raw: bytes, file: str, encoding: str | None = None) -> Decoded:
    """The text of an export: in ``encoding`` when the mapping sets one, else UTF-8 / UTF-16 by their BOM, else
    UTF-8 when the file is UTF-8 (or UTF-8 with a few damaged bytes), else the detected encoding."""
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if utf16 and (encoding is None or is_utf8(encoding)):
        encoding = "utf-16"  # Excel's "Unicode text" export
    if encoding is None:
        bare = _utf16_without_bom(raw)
        if bare is not None:  # SQL Server's bcp -w and some HR tools: UTF-16 with no byte-order mark
            return Decoded(_decode(raw, file, bare), bare, "UTF-16 without a byte-order mark (every other byte 0)")
        if not (raw.startswith(codecs.BOM_UTF8) or _utf8_ish(raw)):
            encoding, why = detect(raw, file)
            return Decoded(_decode(raw, file, encoding), encoding, why)
        encoding = "utf-8-sig"
    return Decoded(_decode(raw, file, encoding), encoding)


def _decode(raw: bytes, file: str, encoding: str) -> str:
    # undecodable bytes become lone surrogates, so each row that holds one is rejected alone, with its line number
    if len(raw) % 2 and encoding.replace("_", "-").lower().startswith("utf-16"):
        raw = raw[:-1]  # cut short inside its last character: the rows before it load, a row cut short is rejected
    try:
        return raw.decode(encoding, errors="surrogateescape")
    except UnicodeDecodeError as exc:  # codecs without surrogateescape support (utf-16 with a bad tail)
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UnreadableInput(file, f"not {encoding} text (byte 0x{raw[exc.start]:02x})", line) from None


def _utf16_without_bom(raw: bytes) -> str | None:
    """"utf-16-le" or "-be" when most of the first characters have a 0 byte on one side only (Latin text in
    UTF-16); a text export in any other encoding holds no 0 bytes."""
    head = raw[:4096]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    pairs = len(head) // 2
    if pairs < 2 or min(even, odd) > pairs // 10:
        return None
    if odd >= pairs // 2:
        return "utf-16-le"
    return "utf-16-be" if even >= pairs // 2 else None


def _utf8_ish(raw: bytes) -> bool:
    """UTF-8, or UTF-8 with damaged bytes: at least as many valid multi-byte UTF-8 characters as bytes that are not
    (a one-byte code page or Shift-JIS forms a valid UTF-8 character only now and then, such as cp1252's "Ã©")."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="surrogateescape")
        bad = sum(1 for ch in text if "\udc80" <= ch <= "\udcff")
        return len(_MULTIBYTE.findall(raw)) >= bad
    return True


def detect(raw: bytes, file: str) -> tuple[str, str]:
    """(codec name, what was seen) for bytes that are not UTF-8; UnreadableInput naming the file when the
    detection cannot tell.

    Of the readings with the least mess (charset-normalizer's ``chaos``), cp1252's is taken when it is one of them:
    on a list of names charset-normalizer's language coherence is noise (it prefers cp1250's "Kjćr" to cp1252's
    "Kjær"). Else the most coherent reading, if only one reads that way. A cp1252 reading with Icelandic letters
    (þ, ð: Turkish ş and ğ as cp1252 reads them) beside another clean reading is no answer either: the file is
    refused, naming both, rather than loaded as "Ayþe". A Czech cp1250 file still reads as cp1252 ("Dvoøák"): the
    guess is said, and ``[options] encoding`` fixes it.

    The five bytes cp1252 leaves undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d) rule cp1252 out of the detection. A file
    that holds some and, without them, reads as cp1252 better than it reads whole in any codec that defines them
    (:func:`_stray_western`) is a cp1252 file with stray bytes: it is read as cp1252, and each row holding one is
    rejected alone, naming the byte (as a UTF-8 file with a damaged byte is)."""
    high = sorted({b for b in raw if b >= 0x80})
    shown = " ".join(f"0x{b:02x}" for b in high[:4]) + (" ..." if len(high) > 4 else "")
    seen = f"not UTF-8 (bytes {shown})"
    strays = bytes(b for b in high if b in _UNDEFINED_IN_WESTERN)
    try:
        codec, chaos = _choose(_readings(raw), file, seen)
    except UnreadableInput:
        if not (strays and _stray_western(raw, strays, None)):
            raise
        return WESTERN, _with_strays(seen, strays)
    if strays and codec != WESTERN and _stray_western(raw, strays, (codec, chaos)):
        return WESTERN, _with_strays(seen, strays)
    return codec, seen


def _stray_western(raw: bytes, strays: bytes, rival: tuple[str, float] | None) -> bool:
    """Whether ``raw`` is cp1252 with stray bytes: without them it reads as cp1252, and better than as ``rival``
    (the codec detection took for the whole file, and its mess): cleaner; or as clean, the rival no code page
    Excel writes (DOS cp775 reads 0x81 as "ü"); or as clean and either more coherent or with the stray bytes on
    under 2% of the lines. Else the rival, which reads every row: a Czech cp1250 file with "ť" (0x9d) in a few
    names stays cp1250."""
    matches = _readings(raw.translate(None, strays))
    try:
        codec, chaos = _choose(matches, "", "")
    except UnreadableInput:
        return False
    if codec != WESTERN:
        return False
    if rival is None or chaos < rival[1] or rival[0] not in _EXCEL:
        return True
    if sum(map(raw.count, strays)) * 50 < raw.count(b"\n") + 1:
        return True
    western = max(m.coherence for m in matches if WESTERN in (m.encoding, *m.could_be_from_charset))
    other = [m.coherence for m in matches if rival[0] in (m.encoding, *m.could_be_from_charset)]
    return not other or western > max(other)


def _with_strays(seen: str, strays: bytes) -> str:
    shown = " ".join(f"0x{b:02x}" for b in strays)
    return f"{seen}, of which {shown} {'is' if len(strays) == 1 else 'are'} undefined in cp1252 (its rows rejected)"


def _readings(raw: bytes) -> list[CharsetMatch]:
    from charset_normalizer import from_bytes  # only a file that is not UTF-8 needs it

    return list(from_bytes(raw))


def _choose(matches: list[CharsetMatch], file: str, seen: str) -> tuple[str, float]:
    """The codec :func:`detect` takes among charset-normalizer's readings, and its reading's mess (0 to 1); else
    UnreadableInput."""
    if not matches:
        raise UnreadableInput(file, f"{seen}, and no text encoding reads it cleanly: save it as CSV UTF-8, or set "
                                    "[options] encoding in --mapping")
    least = min(m.chaos for m in matches)
    clean = [m for m in matches if m.chaos <= least]
    western = [m for m in clean if WESTERN in (m.encoding, *m.could_be_from_charset)]
    if western:
        if not _ICELANDIC & set(str(western[0])):
            return WESTERN, least
        top = [western[0], *(m for m in clean if not _ICELANDIC & set(str(m)))]
    else:
        most = max(m.coherence for m in clean)
        top = [m for m in clean if m.coherence >= most]
    if len({str(m) for m in top}) > 1:
        names = ", ".join(dict.fromkeys(WESTERN if m in western else m.encoding for m in top))
        raise UnreadableInput(file, f"{seen}, and it reads equally well as {names}: set [options] encoding in "
                                    "--mapping (or save it as CSV UTF-8)")
    same = (top[0].encoding, *top[0].could_be_from_charset)  # codecs that read these bytes alike: the usual name
    return next((c for c in _USUAL if c in same), top[0].encoding), least


_USUAL = ("cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "mac_roman", "cp932", "cp949", "gb18030", "big5")
_ICELANDIC = frozenset("þÞðÐ")
_EXCEL = frozenset((*_USUAL, "cp1255", "cp1256", "cp1258", "cp874"))  # the code pages Excel's plain CSV is in
_UNDEFINED_IN_WESTERN = frozenset(b"\x81\x8d\x8f\x90\x9d")  # no character in cp1252


__all__ = ["WESTERN", "Decoded", "decode_export", "detect", "is_utf8"]
