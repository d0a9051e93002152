"""Training windows: the post-editor works on a window of up to ~16 words around what looks
damaged (:func:`repair.segment.windows_around`), not on whole sentences, so that sequences
stay short (fast on a CPU, easy to copy) and an edit can never reach far from its cause.

Training cuts the same windows out of (damaged, clean) sentence pairs, with the two
sides aligned word by word so the target window is exactly the repair of the source
window.
"""
from __future__ import annotations

import difflib
import random


def _alignment(a: list[str], b: list[str]):
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    # boundary positions in a (0..len(a)) that map to a boundary in b
    cut: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            for k in range(i2 - i1 + 1):
                cut[i1 + k] = j1 + k
        else:
            cut.setdefault(i1, j1)
            cut[i2] = j2
    changed = [(i1, i2) for tag, i1, i2, _, _ in ops if tag != "equal"]
    return cut, changed


def window_pair(src: str, tgt: str, rng: random.Random, max_words: int = 16) -> tuple[str, str]:
    """A window of at most ``max_words`` source words around one change (a random window
    for copies), and the matching target window.

    >>> window_pair("a b c d e f g h", "a b c X e f g h", random.Random(0), 4)
    ('b c d e', 'b c X e')
    >>> window_pair("a b c", "a b c", random.Random(0), 8)
    ('a b c', 'a b c')
    """
    a, b = src.split(" "), tgt.split(" ")
    if len(a) <= max_words and len(b) <= max_words + 4:
        return src, tgt
    cut, changed = _alignment(a, b)
    if changed:
        c1, c2 = rng.choice(changed)
    else:
        c1 = rng.randrange(len(a))
        c2 = c1 + 1
    if c2 - c1 > max_words:
        return "", ""
    room = max_words - (c2 - c1)
    left = rng.randint(1, max(1, room - 1))
    s = max(0, c1 - left)
    e = min(len(a), s + max_words)
    while s not in cut and s > 0:
        s -= 1
    while e not in cut and e < len(a):
        e += 1
    return " ".join(a[s:e]), " ".join(b[cut[s]:cut[e]])
