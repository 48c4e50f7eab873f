"""Text normalisation and term patterns for the rules backend.

Evasions we undo: case, Unicode compatibility forms (full-width, ligatures: NFKC),
accents, look-alike letters from other scripts (Cyrillic a, Greek omicron), zero-width and
soft-hyphen characters, leetspeak ("k1ll"), separators between letters ("k i l l",
"k.i.l.l") and repeated letters ("kiiill"). A term matches only on word boundaries, so
"class" does not hit "ass" and "Scunthorpe" does not hit its infix."""

import functools
import re
import unicodedata

# Invisible characters people insert between letters.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
        "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\ufeff",
    ),
    None,
)

# Letters from other scripts that look like Latin ones (a practical subset of Unicode's
# confusables.txt: the ones that survive NFKC and casefolding).
_CONFUSABLES = str.maketrans(
    {
        "\u0430": "a",  # cyrillic small letter a
        "\u0432": "b",  # cyrillic small letter ve
        "\u0435": "e",  # cyrillic small letter ie
        "\u0451": "e",  # cyrillic small letter io
        "\u0437": "3",  # cyrillic small letter ze
        "\u0438": "u",  # cyrillic small letter i
        "\u043a": "k",  # cyrillic small letter ka
        "\u043c": "m",  # cyrillic small letter em
        "\u043d": "h",  # cyrillic small letter en
        "\u043e": "o",  # cyrillic small letter o
        "\u043f": "n",  # cyrillic small letter pe
        "\u0440": "p",  # cyrillic small letter er
        "\u0441": "c",  # cyrillic small letter es
        "\u0442": "t",  # cyrillic small letter te
        "\u0443": "y",  # cyrillic small letter u
        "\u0445": "x",  # cyrillic small letter ha
        "\u0455": "s",  # cyrillic small letter dze
        "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
        "\u0457": "i",  # cyrillic small letter yi
        "\u0458": "j",  # cyrillic small letter je
        "\u0501": "d",  # cyrillic small letter komi de
        "\u051b": "q",  # cyrillic small letter qa
        "\u051d": "w",  # cyrillic small letter we
        "\u04bb": "h",  # cyrillic small letter shha
        "\u04cf": "l",  # cyrillic small letter palochka
        "\u0261": "g",  # latin small letter script g
        "\u044c": "b",  # cyrillic small letter soft sign
        "\u03b1": "a",  # greek small letter alpha
        "\u03b2": "b",  # greek small letter beta
        "\u03b3": "y",  # greek small letter gamma
        "\u03b5": "e",  # greek small letter epsilon
        "\u03b7": "n",  # greek small letter eta
        "\u03b9": "i",  # greek small letter iota
        "\u03ba": "k",  # greek small letter kappa
        "\u03bd": "v",  # greek small letter nu
        "\u03bf": "o",  # greek small letter omicron
        "\u03c1": "p",  # greek small letter rho
        "\u03c4": "t",  # greek small letter tau
        "\u03c5": "u",  # greek small letter upsilon
        "\u03c7": "x",  # greek small letter chi
        "\u03c9": "w",  # greek small letter omega
        "\u03c2": "c",  # greek small letter final sigma
        "\u03c3": "o",  # greek small letter sigma
        "\u0131": "i",  # latin small letter dotless i
        "\u0142": "l",  # latin small letter l with stroke
        "\u00f8": "o",  # latin small letter o with stroke
        "\u0111": "d",  # latin small letter d with stroke
        "\u00df": "ss",  # latin small letter sharp s
        "\u00e6": "ae",  # latin small letter ae
        "\u0153": "oe",  # latin small ligature oe
        "\u2170": "i",  # small roman numeral one
        "\u217c": "l",  # small roman numeral fifty
        "\u222a": "u",  # union
    }
)

# Characters that stand in for a letter (leetspeak). Applied inside patterns, not to the
# text, because "1" may be an "i" or an "l".
_LEET = {
    "a": "4@",
    "b": "8",
    "e": "3",
    "g": "96",
    "i": "1!|",
    "l": "1|!",
    "o": "0",
    "s": "5$",
    "t": "7+",
    "z": "2",
}
_WORD_CHARS = "a-z0-9"
# Up to three separators (spaces, dots, dashes, underscores ...) between two letters.
_SEP = r"[^a-z0-9]{0,3}"


def normalize(text: str) -> str:
    """Lower-case Latin text with invisible characters, accents and look-alikes undone."""
    text = unicodedata.normalize("NFKC", text or "").translate(_INVISIBLE)
    text = text.casefold().translate(_CONFUSABLES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _char_class(ch: str) -> str:
    alternatives = ch + _LEET.get(ch, "")
    return "[" + "".join(re.escape(c) for c in alternatives) + "]+"


@functools.lru_cache(maxsize=4096)
def term_pattern(term: str, is_regex: bool = False) -> re.Pattern[str]:
    """The compiled pattern for one list entry (cached; entries rarely change)."""
    if is_regex:
        return re.compile(term, re.IGNORECASE)
    words = [w for w in re.split(r"[^a-z0-9]+", normalize(term)) if w]
    if not words:
        return re.compile(r"(?!x)x")  # an entry of punctuation only matches nothing
    body = _SEP.join(_SEP.join(_char_class(ch) for ch in word) for word in words)
    # Boundaries are judged on letters and digits, leet stand-ins included.
    edge = f"{_WORD_CHARS}" + re.escape("@$!|+")
    return re.compile(rf"(?<![{edge}]){body}(?![{edge}])")


def mask_terms(text_normalized: str, entries: list[tuple[str, bool]]) -> str:
    """The text with every match of the (term, is_regex) entries blanked out, so the
    words inside an allowed idiom are not matched again (a listed word elsewhere still is).
    """
    chars = list(text_normalized)
    for term, is_regex in entries:
        try:
            matches = list(term_pattern(term, is_regex).finditer(text_normalized))
        except re.error:
            continue
        for match in matches:
            chars[match.start() : match.end()] = " " * (match.end() - match.start())
    return "".join(chars)


def find_term(text_normalized: str, term: str, is_regex: bool = False) -> bool:
    try:
        return term_pattern(term, is_regex).search(text_normalized) is not None
    except re.error:
        return False
