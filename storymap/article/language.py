"""The article's language: function-word counts for German and English, else py3langid
(loaded on the first use, then kept for the process) over the major news languages."""

from __future__ import annotations

import threading
from typing import Any

from storymap.errors import InputError

LANGUAGES: tuple[str, ...] = (
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "he", "hi",
    "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "nl", "no", "pl", "pt", "ro", "ru", "sk",
    "sl", "sr", "sv", "tr", "uk", "vi", "zh",
)  # fmt: skip
"""Languages `detect_language` chooses from: major news languages. Restricting the set keeps
short texts from landing on look-alikes (Luxembourgish, Frisian, Afrikaans, …)."""

_PRIOR = {"de": 5.0, "en": 5.0}
"""Log-prior bonus (nats) for the languages the tool is mostly fed. It only decides near-ties
in very short texts ("Putin trifft Kim in Pjöngjang." scores Swedish 1.6 nats above German);
for a paragraph the score gaps are in the hundreds, so other languages are unaffected."""

_SAMPLE_CHARS = 1000
"""Detection reads only this many characters: the classifier walks the text byte by byte in
Python (~0.5 µs per byte), and the first paragraph or two decide the language reliably."""
_QUICK_SAMPLE_CHARS = 500
"""Enough words for the function-word count (`_quick_language`) to leave no doubt in all but
a few of 900 test articles, which then go to py3langid and its 1,000 characters."""


# -- language -----------------------------------------------------------------------------

_identifier: Any = None
_identifier_lock = threading.Lock()


def _language_identifier() -> Any:
    """py3langid's model, loaded once (~1 s, it is compressed) and limited to LANGUAGES."""
    global _identifier
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
                identifier.set_languages(list(LANGUAGES))
                _identifier = identifier
    return _identifier


def _sample(text: str, size: int = _SAMPLE_CHARS) -> str:
    """The text's first `size` characters or so, cut at a space."""
    if len(text) <= size:
        return text
    cut = text.rfind(" ", size // 2, size)
    return text[: cut if cut > 0 else size]


def detect_language(text: str) -> str:
    """The article's language as an ISO 639-1 code (one of LANGUAGES).

    py3langid (offline naive Bayes over byte n-grams) on the first ~1000 characters, with a
    small prior for German and English so that one-line headlines full of foreign names
    ("Putin trifft Kim in Pjöngjang.") still come out right.
    """
    sample = _sample(text)
    if not any(ch.isalpha() for ch in sample):
        sample = text
        if not any(ch.isalpha() for ch in sample):
            raise InputError(
                "The text has no words to tell its language from. "
                "Give the article text, or choose the language yourself."
            )
    quick = _quick_language(_sample(sample, _QUICK_SAMPLE_CHARS))
    if quick is not None:
        return quick
    ranked: list[tuple[str, float]] = _language_identifier().rank(sample)
    best = max(ranked, key=lambda pair: pair[1] + _PRIOR.get(pair[0], 0.0))
    return str(best[0])


_FUNCTION_WORDS = {
    "de": frozenset(
        "der die das und ist nicht mit von zu den dem des ein eine einen auf für im sich auch "
        "es als bei nach wie aus wird wurde sind hat haben noch über vor zum zur oder aber".split()
    ),
    "en": frozenset(
        "the and of to is that for on with as was by at from it are be this have has an were "
        "which will would said their they not but or after".split()
    ),
}
_FUNCTION_WORD_LANGUAGE = {w: lang for lang, words in _FUNCTION_WORDS.items() for w in words}
"""The two lists share no word."""


def _quick_language(sample: str) -> str | None:
    """German or English from function-word counts, when they leave no doubt: it needs no
    model, so a single article is analysed without loading py3langid (about a second).
    Words are what whitespace separates: a function word with punctuation attached ("der,")
    is not counted, which only makes the test a little stricter, and it is several times
    cheaper than a regex (this runs on every article)."""
    words = sample.lower().split()
    counts = dict.fromkeys(_FUNCTION_WORDS, 0)
    for word in words:
        language = _FUNCTION_WORD_LANGUAGE.get(word)
        if language is not None:
            counts[language] += 1
    (best, n1), (_, n2) = sorted(counts.items(), key=lambda kv: -kv[1])[:2]
    if len(words) >= 20 and n1 >= 0.12 * len(words) and n1 >= 4 * max(n2, 1):
        return best
    return None
