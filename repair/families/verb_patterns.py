"""VERB_PATTERN: French verb constructions kept in English (verb_patterns.yaml).

- gerund_verbs: "risks to delay" -> "risks delaying";
- accept_to: "accepted to pay" -> "agreed to pay";
- allow_to: "allows to reduce" -> "makes it possible to reduce";
- claim_having: "affirms having respected" -> "says it has respected" (or he/she/they, or
  "claims to have");
- perfect: "has resigned yesterday" -> "resigned yesterday", "have been arrested last week"
  -> "were arrested last week";
- since: "since two years because ..." -> "for two years because ...";
- question: relatives of "il est question de" ("it is not question of" -> "there is no question of").
"""
from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon, time_phrases, wordlists
from .proposal import make
from .tokens import capitalise_first, index_at, sentences, tokenize

FAMILY = "VERB_PATTERN"
NAME = "verb_patterns"
PERFECT = re.compile(r"(?<![\w-])(?P<aux>has|have|[Hh]as|[Hh]ave)(?P<adv> (?:also|already|just|not|never|finally|now|"
                     r"recently|officially|formally))? (?P<been>been )?(?P<vbn>[a-z]+)(?![\w-])")
SINCE = re.compile(r"(?<![\w-])(?P<since>[Ss]ince) (?=(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                   r"fifteen|twenty|thirty|several|many|a few) (?:years|months|weeks|days|decades)\b"
                   r"(?! ago\b| have\b| has\b| had\b| of\b| in\b| later\b| earlier\b| before\b)(?![.,;:!?)]))")
#: words that end the short object scanned between a perfect and its time phrase
STOP = lexicon.PREPOSITIONS | lexicon.CLAUSE_WORDS | lexicon.CONJUNCTIONS | frozenset(("to",))


def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(set(map(str, words)), key=len, reverse=True))


def _forms(lemma: str, tags=None) -> set[str]:
    return {f for t, fs in lexicon.forms(lemma).items() if tags is None or t in tags for f in fs}


@lru_cache(maxsize=1)
def _compiled():
    doc = wordlists.load(NAME)
    g = doc["gerund_verbs"]
    gerund = {}
    for v in g["verbs"]:
        for f in _forms(str(v)):
            gerund[f] = (str(v), v)
    gerund_rx = re.compile(r"(?<![\w-])(?P<verb>" + _alt(gerund) + r") (?P<to>to (?P<vb>[a-z]+))(?![\w-])")
    a = doc["accept_to"]
    accept_rx = re.compile(r"(?<![\w-])(?P<verb>" + _alt(_forms(str(a["verb"]))) + r") (?=to (?P<vb>[a-z]+)\b)")
    al = doc["allow_to"]
    allow = {f: str(v) for v in al["verbs"] for f in _forms(str(v), {"VBZ", "VBG"})}
    allow_rx = re.compile(r"(?<![\w-])(?P<verb>" + _alt(allow) + r") (?=to (?P<vb>[a-z]+)\b)")
    c = doc["claim_having"]
    claim = {f: str(v) for v in c["verbs"] for f in _forms(str(v), {"VBZ", "VBD"})}
    claim_rx = re.compile(r"(?<![\w-])(?P<verb>" + _alt(claim) + r") having(?= (?P<vbn>[a-z]+)\b)")
    questions = [(re.compile(str(q["regex"])), q) for q in doc["question"]]
    return doc, gerund, gerund_rx, accept_rx, allow, allow_rx, claim, claim_rx, questions


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    doc, gerund, gerund_rx, accept_rx, allow, allow_rx, claim, claim_rx, questions = _compiled()
    out = []

    def add(start, end, cands, item, sent):
        p = make(FAMILY, text, start, end, cands, wordlists.origin(NAME, item), sent)
        if p:
            out.append(p)

    for s0, s1 in sentences(text, spans):
        sent = (s0, s1)
        for m in gerund_rx.finditer(text, s0, s1):
            lemma, entry = gerund[m.group("verb").lower()]
            vb = m.group("vb")
            vtags = lexicon.verb_tags(m.group("verb"))
            prev = lexicon.previous_word(text, s0, m.start()).lower()
            # "a safety risk to limit" is a noun; "jobs risk to disappear" a verb after a plural
            finite = bool(vtags & {"VBZ", "VBD"}) or ("VBP" in vtags and prev.endswith("s") and not prev.endswith("ss"))
            if "VB" not in lexicon.verb_tags(vb) or not lexicon.reads_as_verb(text, s0, m.start(), m.group("verb"), finite):
                continue
            if _after_be(text, s0, m.start()) or (lemma == "consider" and vb == "be"):
                continue
            if lemma in ("consider", "recommend", "suggest") and lexicon.previous_word(text, s0, m.start()).lower() in ("what", "it"):
                continue
            vbg = lexicon.inflect(vb, "VBG")
            if vbg:
                add(m.start("to"), m.end("to"), [vbg], entry, sent)
        for m in accept_rx.finditer(text, s0, s1):
            if "VB" in lexicon.verb_tags(m.group("vb")) and not _after_be(text, s0, m.start()):
                tag = _tag(m.group("verb"))
                new = lexicon.inflect(str(doc["accept_to"]["to"]), tag)
                add(m.start("verb"), m.end("verb"), [_case(m.group("verb"), new)], doc["accept_to"], sent)
        for m in allow_rx.finditer(text, s0, s1):
            if "VB" in lexicon.verb_tags(m.group("vb")) and not _after_be(text, s0, m.start()):
                make_form = lexicon.inflect("make", _tag(m.group("verb")))
                add(m.start("verb"), m.end("verb"), [_case(m.group("verb"), f"{make_form} it possible")],
                    doc["allow_to"], sent)
        for m in claim_rx.finditer(text, s0, s1):
            if "VBN" not in lexicon.verb_tags(m.group("vbn")):
                continue
            tag = _tag(m.group("verb"))
            lemma = claim[m.group("verb").lower()]
            say = lexicon.inflect("say", tag)
            have = "has" if tag == "VBZ" else "had"
            subject = _subject_pronoun(text, s0, m.start())
            pronouns = [subject] + [p for p in ("it", "he", "she", "they") if p != subject]
            cands = [f"{say} {p} {have if p != 'they' or tag == 'VBD' else 'have'}" for p in pronouns]
            claim_form = f"{m.group('verb')} to have" if lemma in ("claim",) else None
            if claim_form:
                cands.insert(0, claim_form)
            else:
                cands.append(f"{lexicon.inflect('claim', tag)} to have")
            add(m.start("verb"), m.end(), [_case(m.group("verb"), c) for c in cands], doc["claim_having"], sent)
        _perfects(text, s0, s1, doc["perfect"], add)
        for m in SINCE.finditer(text, s0, s1):
            add(m.start("since"), m.end("since"), [_case(m.group("since"), "for")], doc["since"], sent)
        for rx, item in questions:
            for m in rx.finditer(text, s0, s1):
                it = m.group("it") or ""
                new = str(item["replace"]).format(There=_case(it, "there"), It=it, be=m.group("be"))
                add(m.start(), m.end(), [new], item, sent)
        _present_since(text, s0, s1, doc["present_since"], add)
        for m in COME_TO.finditer(text, s0, s1):
            vb = m.group("vb")
            if "VB" not in lexicon.verb_tags(vb) or vb in NOT_JUST or not lexicon.reads_as_verb(text, s0, m.start(), m.group("come")):
                continue
            before = re.findall(r"[\w’'-]+", text[max(s0, m.start() - 30):m.start()])[-2:]
            if any(w.lower() in ("it", "when", "if", "once", "whenever", "had", "have", "has", "to", "will", "would") for w in before):
                continue  # "when it comes to", "he had come to learn": English idioms
            if not re.match(r" (?:the|a|an|its|his|her|their|our|\d)", text[m.end("vb"):s1]):
                continue  # the verb takes its object: "comes to announce the opening"
            vbn = lexicon.inflect(lexicon.verb_lemmas(vb)[0] if lexicon.verb_lemmas(vb) else vb, "VBN")
            have = "has" if m.group("come").lower() == "comes" else "have"
            if vbn:
                add(m.start("come"), m.end("vb"), [_case(m.group("come"), f"{have} just {vbn}")], doc["come_to"], sent)
        for m in TO_GERUND.finditer(text, s0, s1):
            vb = m.group("vb")
            if "VB" not in lexicon.verb_tags(vb):
                continue
            vbg = lexicon.inflect(vb, "VBG")
            prep = "of" if m.group("word").lower() == "confident" else "in"
            if vbg:
                add(m.start("to"), m.end("vb"), [f"{prep} {vbg}"], doc["to_gerund"], sent)
    return out


#: "comes to announce" (French "vient d'annoncer") -> "has just announced"
COME_TO = re.compile(r"(?<![\w-])(?P<come>comes) to (?P<vb>[a-z]+)(?![\w-])")
#: verbs after "come to" that English uses as they are ("comes to see", "came to realise")
NOT_JUST = frozenset("""see visit realise realize understand believe know be think expect like love hate accept dominate
symbolise symbolize represent mean help play live stay work define replace rely terms power light life""".split())
#: "confident to meet" -> "confident of meeting", "succeeded to catch" -> "succeeded in catching"
TO_GERUND = re.compile(r"(?<![\w-])(?P<word>confident|succeeded|succeeds|succeed|persisted|persists|persist) "
                       r"(?P<to>to) (?P<vb>[a-z]+)(?![\w-])")
#: a date after "since": a year, a month, a day
SINCE_DATE = re.compile(r"since (?:(?P<date>(?:19|20)\d\d|January|February|March|April|May|June|July|August|September|"
                        r"October|November|December|last (?:year|month|week)|then)\b|(?P<span>(?:(?:\d+|two|three|four|five|"
                        r"six|seven|eight|nine|ten|twelve|twenty|several|many|a few) )?(?:years|months|weeks|decades)\b)"
                        r"(?! ago\b| of\b))")


def _present_since(text: str, s0: int, s1: int, item, add) -> None:
    """"leads the bank since September" -> "has led the bank since September": the present
    simple (third person) of a lexical verb, a short object, then "since" and a date; "is
    under construction since 2022" -> "has been under construction since 2022"."""
    for m in SINCE_DATE.finditer(text, s0, s1):
        toks = tokenize(text, s0, m.start())
        if not toks:
            continue
        # back over the object (no punctuation, no verb) to the verb, at most 6 tokens
        k = len(toks) - 1
        steps = 0
        while k >= 0 and steps < 6:
            t = toks[k]
            if not t.is_word:
                k = -1
                break
            w = t.lower
            tags = lexicon.verb_tags(w)
            if w in ("is", "are"):
                break
            if "VBZ" in tags and w not in lexicon.AUXILIARIES and (k == 0 or toks[k - 1].lower not in lexicon.DETERMINERS) \
                    and ("NOUN" not in lexicon.pos(w) or k > 0 and toks[k - 1].lower in ("who", "which", "that", "he", "she", "it")
                         or k == 1 and toks[0].is_cap and not lexicon.pos(toks[0].lower)):
                break  # "Berlin fears since ...": a name opening the sentence, then its verb
            if "VBP" in tags and w not in lexicon.AUXILIARIES and k > 0 and toks[k - 1].lower in ("who", "they", "we") \
                    and not tags & {"VBD", "VBN"}:
                break  # "who complain since years"
            if w in lexicon.AUXILIARIES or w in lexicon.CONJUNCTIONS or w in ("who", "which", "that"):
                k = -1
                break
            k -= 1
            steps += 1
        if k < 0 or steps >= 6:
            continue
        verb = toks[k]
        w = verb.lower
        plural = "VBZ" not in lexicon.verb_tags(w) and w != "is"
        if any(t.lower.endswith("est") or t.lower in ("first", "last", "record", "only", "since") for t in toks[k + 1:]):
            continue  # "slows to its lowest level since 1990": since goes with the superlative
        if w in ("is", "are"):
            nxt = toks[k + 1].lower if k + 1 < len(toks) else ""
            if nxt in ("the", "a", "an") or nxt.endswith("ing"):
                continue  # "is the first since 2010", "is growing since": not this error
            new = "has been" if w == "is" else "have been"
        else:
            lemmas = lexicon.verb_lemmas(w)
            vbn = lexicon.inflect(lemmas[0], "VBN") if lemmas else None
            if not vbn:
                continue
            new = f"{'have' if plural else 'has'} {vbn}"
        if m.group("span"):
            # "fears since several months" -> "has feared for several months": tense and
            # preposition together (each alone leaves the sentence wrong)
            middle = text[verb.end:m.start()]
            add(verb.start, m.end(), [_case(verb.text, new) + middle + "for " + m.group("span")], item, (s0, s1))
        else:
            add(verb.start, verb.end, [_case(verb.text, new)], item, (s0, s1))


def _perfects(text: str, s0: int, s1: int, item, add) -> None:
    toks = None
    for m in PERFECT.finditer(text, s0, s1):
        vbn = m.group("vbn")
        if "VBN" not in lexicon.verb_tags(vbn) or vbn in ("been", "got", "had"):
            continue
        if lexicon.previous_word(text, s0, m.start()).lower() in lexicon.MODALS | {"to"}:
            continue  # "would have done a year ago"
        if toks is None:
            toks = tokenize(text, s0, s1)
        k = index_at(toks, m.end("vbn") + 1)
        found = None
        for steps in range(4):
            if k is None or k >= len(toks):
                break
            hit = time_phrases.match_at(text, toks[k].start, s1)
            if hit and hit[1] in ("past", "dated"):
                found = hit
                break
            t = toks[k]
            if not t.is_word or t.lower in STOP or (steps and _verb_like(t.lower)):
                break
            k += 1
        if not found:
            continue
        aux = m.group("aux").lower()
        adv = (m.group("adv") or "").strip()
        if m.group("been"):
            new = ("was" if aux == "has" else "were") + f" {vbn}"
            new = f"{adv} {new}" if adv and adv != "not" else new.replace(" ", " not ", 1) if adv == "not" else new
        else:
            lemma = lexicon.verb_lemmas(vbn)[0]
            vbd = lexicon.inflect(lemma, "VBD")
            if not vbd:
                continue
            if adv == "not":
                new = f"did not {lemma}"
            else:
                new = f"{adv} {vbd}".strip()
        if m.group("aux")[0].isupper():
            new = capitalise_first(new)
        add(m.start(), m.end("vbn"), [new], found[2], (s0, s1))


def _verb_like(w: str) -> bool:
    if w in lexicon.AUXILIARIES:
        return True
    p = lexicon.pos(w)
    return "VERB" in p and not p & {"NOUN", "ADJ"}


def _after_be(text: str, s0: int, pos: int) -> bool:
    """A passive or a predicate: "was accepted to", "are not allowed to"."""
    words = re.findall(r"[\w’'-]+", text[max(s0, pos - 30):pos])[-3:]
    return any(w.lower() in lexicon.BE or w.lower() in ("get", "gets", "got") for w in words)


def _tag(verb: str) -> str:
    tags = lexicon.verb_tags(verb)
    for t in ("VBD", "VBZ", "VBG", "VBN", "VBP", "VB"):
        if t in tags:
            return t
    return "VB"


def _case(before: str, after: str) -> str:
    return capitalise_first(after) if before[:1].isupper() else after


def _subject_pronoun(text: str, s0: int, pos: int) -> str:
    """The pronoun that stands for the subject before ``pos``: a pronoun itself, else the kind
    of the nearest mention (pronouns.mentions): "he"/"she" for a man or a woman, "it" for an
    organisation, a name or nothing known."""
    from .pronouns import mentions

    words = text[s0:pos].split()
    if words and words[-1].lower() in ("he", "she", "they", "it"):
        return words[-1].lower()
    found = mentions(text, s0, pos, {})
    kinds = [m.kind for m in found]
    for kind in reversed(kinds):
        if kind in ("male", "female"):
            return "he" if kind == "male" else "she"
        if kind in ("org", "name"):
            return "it"
    return "he" if "person" in kinds else "it"
