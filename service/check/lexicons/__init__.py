"""The checker's lexicons as data files (package data), read once: general resources only.

``absolute.txt``: the absolute and superlative terms China's Advertising Law bans and their English
counterparts, with the words that tell what a superlative is about; ``polarity.txt``: negation,
prohibition, restriction, question, hedge, reporting and debunking cues; ``commerce.txt``: the
vocabulary of prices and deals; ``efficacy.txt``: the verbs of effect and of saying that tell a denied
prohibited claim from a denied harm. The grammar that uses them is in the modules that load them.
"""

from __future__ import annotations

import re

from knowledge_base.lexicons import compiled, load_list

_PACKAGE = __name__


def entries(name: str, section: str) -> tuple[str, ...]:
    """The entries of one section of lexicon file ``name`` (e.g. ``"polarity.txt"``)."""
    return load_list(_PACKAGE, name, section)


def pattern(name: str, section: str) -> re.Pattern[str]:
    """A case-insensitive pattern matching any entry of one section literally (longest first)."""
    return compiled(_PACKAGE, name, section)


def alternation(name: str, *sections: str) -> str:
    """The uncompiled alternation of several sections, to build a grammar around."""
    from knowledge_base.lexicons import phrase_pattern

    return phrase_pattern(entry for section in sections for entry in entries(name, section))
