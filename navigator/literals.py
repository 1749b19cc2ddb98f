"""What text a regular expression cannot match without: the filter that keeps patterns cheap.

A pattern runs only on messages that contain one of its required literals, so
most patterns never run.  ``\\b(rent|lease)\\b`` needs "rent" or "lease";
``\\b(favou?rs?|sex) .{0,40}(rent|lease)`` needs one of those two as well, the
most selective part of the pattern.
"""
from __future__ import annotations

import re
import re._parser as parser  # the stdlib's own regex parser: private, but stable since 3.11
from typing import Any

Choice = frozenset[str]  # a match contains at least one of these strings


def required_literals(regex: re.Pattern[str]) -> tuple[str, ...]:
    """Return strings one of which every match of ``regex`` contains; () when nothing is certain."""
    if regex.flags & re.IGNORECASE:
        return ()
    return tuple(sorted(_best(_choices(parser.parse(regex.pattern)))))


def _best(choices: list[Choice]) -> Choice:
    """Pick the most selective choice: the longest shortest string, then the fewest strings."""
    useful = [c for c in choices if c and min(map(len, c)) > 0]
    if not useful:
        return frozenset()
    return max(useful, key=lambda c: (min(map(len, c)), -len(c)))


def _choices(sequence: Any) -> list[Choice]:
    """List the requirements of a parsed sequence: runs of literal text, and what its groups need."""
    found: list[Choice] = []
    run = ""
    for op, value in sequence:
        if op is parser.LITERAL:
            run += chr(value)
            continue
        if op is parser.AT:  # anchors such as \b take no characters
            continue
        if run:
            found.append(frozenset({run}))
            run = ""
        if op is parser.SUBPATTERN:
            _group, add_flags, _del_flags, inner = value
            if not add_flags & re.IGNORECASE:
                found.append(_best(_choices(inner)))
        elif op is parser.BRANCH:
            branches = [_best(_choices(branch)) for branch in value[1]]
            if all(branches):
                found.append(frozenset().union(*branches))
        elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT, parser.POSSESSIVE_REPEAT) and value[0] >= 1:
            found.append(_best(_choices(value[2])))
    if run:
        found.append(frozenset({run}))
    return found
