"""PRONOUN: pronouns that disagree with their antecedent (pronouns.yaml).

French "elle"/"il" for a feminine or masculine noun (la société, le groupe) comes back as
"she"/"he" for a company; "c'est une célébrité" about a man comes back as "It is ...".

For each third-person pronoun the window is its sentence up to the pronoun and the two
sentences before it on the same line. Mentions found there (cheaply: word lists and
capitalisation) are organisations ("the carmaker", "Supreme Court", "EDF", a country),
unknown names (a capitalised word that is no dictionary word: "Toyota", or a surname),
women and men (first names, titles, "the chairwoman"; a surname takes the sex of a full
name earlier in the text) and persons of either sex ("the minister").

- she/her/herself: when no woman is mentioned earlier in the text and no person in the
  window, and an organisation or an unknown name is: "it"/"its"/"itself"; a possessive
  "her" becomes "his" (first) when a man is mentioned nearer than the organisation, or alone
  (French "sa" agrees with the thing owned: "her" for "his" is a round-trip error, "she"
  for "he" is not);
- he/him/his/himself: when no man is mentioned earlier and no person in the window, and the
  nearest mention is an organisation: "it"/"its"/"itself";
- "It is/was a <person noun>" opening a sentence, with a person in the window: "He"/"She".

Pronouns inside quotation marks, the speaker of a quote (", he said"), and pronouns that may
point ahead (a person later in the sentence, or a fronted phrase before a name: "In his first
report, Guterres said") are left alone.
Each proposal carries its antecedent: the span of the mention it agrees with, and its kind.
Where several pronouns of a sentence share an antecedent, one more proposal changes them all
together (one at a time, each leaves the sentence inconsistent).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon, names, wordlists
from .proposal import make
from .tokens import Token, sentences, tokenize

FAMILY = "PRONOUN"
NAME = "pronouns"
WINDOW_SENTENCES = 2
CALENDAR = frozenset("""Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June
July August September October November December Christmas Easter""".split())
LOCATION_PREPS = frozenset(("in", "at", "from", "to", "near", "across", "outside", "inside", "into"))


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    kind: str  # org | name | male | female | person
    origin: str | None = None


@lru_cache(maxsize=1)
def _lists():
    doc = wordlists.load(NAME)

    def index(key):
        return {str(w): w for w in doc[key]}

    org_nouns = index("org_nouns")
    countries = {str(n["country"]).removeprefix("the "): n for n in wordlists.load("nationalities")["nationalities"]}
    return (org_nouns, index("org_name_words"), index("female_words"), index("male_words"), index("person_nouns"),
            index("person_predicates"), countries, doc)


def mentions(text: str, start: int, end: int, surnames: dict[str, str]) -> list[Mention]:
    """The mentions in ``text[start:end]``, in order. ``surnames`` maps surnames to the sex of
    a full name seen before (filled as full names are found)."""
    org_nouns, org_words, female, male, person, _, countries, _ = _lists()
    toks = tokenize(text, start, end)
    out: list[Mention] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        lw = re.sub(r"['’]s$", "", t.lower)  # "the society’s"
        prev = toks[i - 1].lower if i else ""
        if not t.is_cap and lw in female:
            out.append(Mention(t.start, t.end, "female", female[lw].origin))
        elif not t.is_cap and lw in male:
            out.append(Mention(t.start, t.end, "male", male[lw].origin))
        elif t.is_cap and t.is_word:  # a name, or a title and a name ("Mr Smith", "Actress Thandie Newton")
            # a run of capitalised words (a name), with "of"/"for"/"de" inside
            j = i + 1
            while j < len(toks) and (toks[j].is_cap and toks[j].is_word
                                     or toks[j].lower in ("of", "for", "de", "&", "-") and j + 1 < len(toks) and toks[j + 1].is_cap):
                j += 1
            run = toks[i:j]
            words = [x.text for x in run]
            kind, origin = _classify(words, prev, i == 0, surnames)
            if kind:
                out.append(Mention(run[0].start, run[-1].end, kind, origin))
            i = j
            continue
        elif lw in org_nouns and prev not in ("to", "will", "would", "could", "can"):  # not the verb "to group"
            nxt = toks[i + 1].lower if i + 1 < len(toks) and lw == t.lower else ""
            if not (nxt and "NOUN" in lexicon.pos(nxt) and nxt not in lexicon.PREPOSITIONS and not lexicon.pos(nxt) & {"VERB", "ADP", "ADV", "DET"}):
                out.append(Mention(t.start, t.end, "org", org_nouns[lw].origin))
        elif (lw in person or _person_word(lw)) and prev not in ("they", "we"):
            end = t.end
            if i + 1 < len(toks) and toks[i + 1].lower == "general":  # "director general"
                end = toks[i + 1].end
                i += 1
            if out and out[-1].kind == "person" and text[out[-1].end:t.start] in (" ", "-"):
                out[-1] = Mention(out[-1].start, end, "person", out[-1].origin)  # "chief executive"
            else:
                out.append(Mention(t.start, end, "person", person[lw].origin if lw in person else None))
        elif lw in ("who",) and out and out[-1].kind == "name" and prev in (",",):
            out[-1] = Mention(out[-1].start, out[-1].end, "person", out[-1].origin)
        i += 1
    # apposition: "the chief executive, Satya Nadella," is a man
    for k, m in enumerate(out):
        if m.kind == "person":
            for n in out[max(0, k - 1):k + 2]:
                if n.kind in ("male", "female") and (0 <= n.start - m.end <= 3 or 0 <= m.start - n.end <= 3):
                    out[k] = Mention(m.start, m.end, n.kind, m.origin)
    return out


def _person_word(w: str) -> bool:
    """"novelist", "musician": a noun for a person by its ending."""
    if len(w) < 7 or not w.isalpha():
        return False
    if w.endswith("ist") and not w.endswith(("checklist", "playlist", "waitlist", "shortlist", "blacklist",
                                               "whitelist", "wishlist", "tracklist", "setlist")):
        p = lexicon.pos(w)
        return not p or ("NOUN" in p and "VERB" not in p)
    if w.endswith("ian"):
        return "NOUN" in lexicon.pos(w)
    return False


def _classify(words: list[str], prev: str, sentence_start: bool, surnames: dict[str, str]):
    org_nouns, org_words, female, male, person, _, countries, _ = _lists()
    first = names.first_names()
    # possessive ’s belongs to the name
    clean = [re.sub(r"[’']s$", "", w) for w in words]
    if any(w in org_words for w in clean):
        return "org", org_words[next(w for w in clean if w in org_words)].origin
    if all(w in CALENDAR or w in names.nationalities() for w in clean):
        return None, None  # "Wednesday", "French": not an antecedent
    joined = " ".join(clean)
    if joined in countries or clean[0] in countries:
        return "org", wordlists.origin("nationalities", countries.get(joined, countries.get(clean[0])))
    sexed = next((w for w in clean if w in female or w in male or w.lower() in female or w.lower() in male), None)
    if sexed is not None:  # "Mr Smith", "Actress Thandie Newton", "Queen Elizabeth"
        table = female if (sexed in female or sexed.lower() in female) else male
        kind = "female" if table is female else "male"
        if len(clean) > 1:
            surnames[clean[-1]] = kind
        return kind, table.get(sexed, table.get(sexed.lower())).origin
    named = next((k for k, w in enumerate(clean[:-1]) if w in first), None)
    if named is not None:  # "Jensen Huang", "Prime Minister Shigeru Ishiba"
        sex, entry = first[clean[named]]
        surnames[clean[-1]] = sex
        return sex, entry.origin
    title = next((w for w in clean if w.lower() in person), None)
    if title is not None and len(clean) > 1:  # "President Macron", "Prime Minister Sorin Grindeanu"
        return "person", person[title.lower()].origin
    if clean[-1] in surnames:
        return surnames[clean[-1]], None
    if clean[0] in female:
        return "female", female[clean[0]].origin
    if clean[0] in male:
        return "male", male[clean[0]].origin
    if len(clean) == 1 and clean[0].isupper() and 2 <= len(clean[0]) <= 6 and clean[0] not in ("I", "AI", "IT", "OK", "TV", "GDP"):
        return "org", None  # EDF, LVMH, TSMC
    if prev in LOCATION_PREPS:
        return None, None  # "in Paris"
    unknown = [w for w in clean if not lexicon.pos(w.lower()) and w.lower() not in ("of", "for", "de", "&", "-")]
    if len(clean) >= 2 and len(unknown) == len(clean) and all(w[1:].islower() for w in clean):
        surnames[clean[-1]] = "person"  # "Liang Wenfeng", "Khadiome Ndongue": a full name
        return "person", None
    if unknown:
        return "name", None  # "Toyota", "Air France-KLM", a surname
    if len(clean) == 1 and lexicon.pos(clean[0].lower()) & {"PRON", "DET", "CCONJ", "SCONJ", "ADP", "AUX", "ADV"}:
        return None, None  # "It", "And", "So" opening a quotation: a function word, never a name
    if len(clean) == 1 and not sentence_start and clean[0].lower() not in person and prev not in lexicon.DETERMINERS:
        return "name", None  # "Apple", "Shell" inside a sentence: a name that is also a word
    if sentence_start and len(clean) == 1:
        return None, None  # "The", "Shares"
    return None, None


def _inside_quotes(text: str, s0: int, pos: int) -> bool:
    seg = text[s0:pos]
    opens = sum(seg.count(q) for q in "“«")
    closes = sum(seg.count(q) for q in "”»")
    straight = seg.count('"')
    return opens > closes or straight % 2 == 1


def _window_start(spans, k: int, text: str) -> int:
    """Start of the window of sentence ``k``: up to WINDOW_SENTENCES before it, on its line."""
    s0 = spans[k][0]
    line_start = text.rfind("\n", 0, s0) + 1
    start = s0
    for j in range(k - 1, max(-1, k - 1 - WINDOW_SENTENCES), -1):
        if spans[j][0] < line_start:
            break
        start = spans[j][0]
    return start


RELATIVE_PRONOUN = re.compile(r", (?:who|which) ")
PRONOUN = re.compile(r"(?<![\w’'-])(?:[Ss]he|[Hh]er|[Hh]erself|[Hh]e|[Hh]im|[Hh]is|[Hh]imself|It)(?![\w’'-])")


def propose(text: str, spans: list[tuple[int, int]] | None = None) -> list:
    if not PRONOUN.search(text) and not RELATIVE_PRONOUN.search(text):
        return []
    spans = sentences(text, spans)
    _, _, _, _, _, predicates, _, doc = _lists()
    out = []
    surnames: dict[str, str] = {}
    cache: dict[int, list[Mention]] = {}

    def sentence_mentions(j):
        if j not in cache:
            cache[j] = mentions(text, spans[j][0], spans[j][1], surnames)
        return cache[j]

    pron_rx = PRONOUN
    for k, (s0, s1) in enumerate(spans):
        sentence_mentions(k)
        if not pron_rx.search(text, s0, s1):
            continue
        ws = _window_start(spans, k, text)
        window = [m for j in range(k + 1) if spans[j][0] >= ws for m in sentence_mentions(j)]
        earlier = [m for j in range(k + 1) for m in sentence_mentions(j)]
        toks = tokenize(text, s0, s1)
        for i, t in enumerate(toks):
            lw = t.lower
            if lw not in ("she", "her", "herself", "he", "him", "his", "himself") and t.text != "It":
                continue
            if _inside_quotes(text, s0, t.start) or _reporting(toks, i):
                continue
            before = [m for m in window if m.end <= t.start]
            if lw == "his":
                p = _his_for_a_woman(text, toks, i, before, doc, (s0, s1))
                if p:
                    out.append(p)
                    continue
            if t.text != "It" and _cataphora(text, s0, t, sentence_mentions(k)):
                continue
            if t.text == "It":
                p = _it_person(text, toks, i, before, predicates, doc, (s0, s1))
            else:
                p = _gendered(text, toks, i, before, [m for m in earlier if m.end <= t.start], doc, (s0, s1))
                if p is None and lw in ("she", "he"):
                    p = _reported(text, toks, i, [m for m in sentence_mentions(k) if m.end <= t.start], doc, (s0, s1))
            if p:
                out.append(p)
    for k, (s0, s1) in enumerate(spans):
        out.extend(_relatives(text, s0, s1, sentence_mentions(k), doc))
    return out + _together(text, out)


#: verbs that report what the subject says: "<organisation> said she would appeal"
REPORTING = frozenset("""said says added warned stated announced explained insisted argued confirmed estimated
expects expected believes believed thinks thought hopes hoped fears feared claims claimed admitted denied
acknowledged noted stressed promised pledged vowed indicated revealed told""".split())


def _reported(text, toks, i, mentions_before, doc, sent):
    """"Lindt said she would raise prices", "Unison, the public sector union, said he would
    ballot": the subject of a reporting verb just before the pronoun is an organisation (or,
    for "she", a name that is no known person) and no person is mentioned in the sentence
    before it, so "she"/"he" stands for it, whoever was mentioned in earlier sentences."""
    t = toks[i]
    j = i - 1
    if j >= 0 and toks[j].lower == "that":
        j -= 1
    if j < 0 or toks[j].lower not in REPORTING:
        return None
    verb = toks[j]
    # the clause of the verb: after the last ", and", ";", ", but", ", while" before it
    seg = text[:verb.start]
    clause_start = max(seg.rfind(sep) for sep in (" and ", "; ", ", but ", ", while ", ", whereas "))
    subject = [m for m in mentions_before if m.end <= verb.start and m.start >= clause_start]
    if not subject or any(m.kind in ("person", "male", "female") for m in subject):
        return None
    last = subject[-1]
    gap = text[last.end:verb.start]
    if not (gap.strip() in ("", ",") or gap.rstrip().endswith(",")):
        return None
    fem = t.lower == "she"
    if last.kind == "org" or (fem and last.kind == "name"):
        new = "It" if t.text[0].isupper() else "it"
        origin = last.origin or wordlists.origin(NAME, doc["examples"][0 if fem else 1])
        return make(FAMILY, text, t.start, t.end, [new], origin, sent, antecedent=(last.start, last.end),
                    antecedent_kind=last.kind, pattern="reported")
    return None


def _his_for_a_woman(text, toks, i, before, doc, sent):
    """"Annalena Baerbock ... She will meet his Chinese counterpart": French "son" agrees with
    the thing owned; the nearest person of the window is a woman, no man is mentioned in it,
    and "his" is a possessive: "her"."""
    if not _possessive(toks, i):
        return None
    if any(toks[k].lower == "his" and toks[k + 1].lower in _owned("man_owned") for k in range(len(toks) - 1)):
        return None  # "women other than his wife": his wife makes him a man
    people = [m for m in before if m.kind in ("male", "female", "person", "name")]
    if not people or any(m.kind == "male" for m in before):
        return None
    women = [m for m in people if m.kind == "female"]
    if not women or people[-1].kind not in ("female",) and not (people[-1].kind == "name" and people[-1].start > women[-1].start
                                                                 and False):
        return None
    t = toks[i]
    new = "Her" if t.text[0].isupper() else "her"
    ante = women[-1]
    return make(FAMILY, text, t.start, t.end, [new], ante.origin or wordlists.origin(NAME, doc["examples"][2]), sent,
                antecedent=(ante.start, ante.end), antecedent_kind=ante.kind, pattern="possessive_sex")


def _relatives(text, s0, s1, sentence_mentions, doc):
    """Relative pronouns of the round trip (French "qui" and "dont"):

    - ", who" after an organisation, a country or a thing ("Britain, who holds its rotating
      presidency", "the rail network, who has suffered") -> "which";
    - ", which" + a noun + a verb ("Thames Water, which debts exceed £16bn") -> "whose"."""
    out = []
    org_nouns, org_words, female, male, person, _, countries, _ = _lists()
    for m in re.finditer(r"(?<=[\w’'\)]), (?P<rel>who|which) (?P<next>[\w’'-]+)(?: (?P<after>[\w’'-]+))?", text[s0:s1]):
        rel_start = s0 + m.start("rel")
        rel_end = s0 + m.end("rel")
        nxt = m.group("next").lower()
        after = (m.group("after") or "").lower()
        if _inside_quotes(text, s0, rel_start):
            continue
        if m.group("rel") == "who":
            if not (lexicon.verb_tags(nxt) & {"VBZ", "VBD"} or nxt in ("has", "is", "was", "had", "will", "would", "can")):
                continue
            ante = [x for x in sentence_mentions if x.end <= rel_start - 2]
            prev_word = re.search(r"([\w’'-]+)\W*$", text[s0:rel_start - 2])
            if prev_word is None:
                continue
            pw = prev_word.group(1)
            kind = None
            first = ante[0] if ante else None
            bare = text[first.start:first.end].removeprefix("The ").strip() if first is not None else ""
            if first is not None and first.start <= s0 + 4 and first.end >= rel_start - 3 and " " not in bare \
                    and (first.kind == "org" or bare.isupper() and 2 <= len(bare) <= 6):
                kind = "org"  # "The CMA, who approved": the subject, an organisation
            elif pw in countries and (ante and ante[-1].end >= rel_start - 3 and text[ante[-1].start:ante[-1].end] == pw):
                kind = "org"  # "Britain, who holds"
            if kind is None:
                continue
            p = make(FAMILY, text, rel_start, rel_end, ["which"], wordlists.origin(NAME, doc["relatives"]), (s0, s1),
                     pattern="relative")
            if p:
                out.append(p)
        else:
            # ", which debts exceed": a bare noun (not a verb form) and then a finite verb
            words = re.findall(r"[\w’'-]+|[^\w\s]", text[rel_end:s1])[:4]
            if not words:
                continue
            if words[0][:1].isupper() or lexicon.verb_tags(words[0].lower()) & {"VBZ", "VBD", "VBP"} \
                    or words[0].lower() in ("experts", "officials", "sources", "analysts", "critics", "observers", "people"):
                continue  # ", which Congress has improved", ", which means": no "whose"
            k = 0
            while k < len(words) - 1 and k < 3:
                w = words[k].lower()
                pw = lexicon.pos(w)
                if (w in lexicon.DETERMINERS or w in lexicon.PREPOSITIONS or w in lexicon.PRONOUNS or w in lexicon.AUXILIARIES
                        or not pw & {"NOUN", "ADJ"} or pw & {"ADV", "ADP", "DET", "PRON"} or lexicon.verb_tags(w) & {"VBD", "VBN"}
                        or (k == 0 and "NOUN" not in pw and not (k + 1 < len(words) and "NOUN" in lexicon.pos(words[k + 1].lower())))):
                    break
                k += 1
            if k == 0 or k >= len(words):
                continue
            verb = words[k].lower()
            if not ((verb in lexicon.AUXILIARIES and verb != "not") or (lexicon.verb_tags(verb) & {"VBZ", "VBP", "VBD"}
                                                                         and "NOUN" not in lexicon.pos(verb))):
                continue
            # the verb has its object (or is a passive): "which debts exceed £16bn", "which cost is
            # estimated"; an object relative lacks it ("which experts say will ...")
            rest = re.findall(r"[\w’'-]+|[^\w\s]", text[rel_end:s1])[k + 1:k + 4]
            nxt_words = [w.lower() for w in rest]
            has_object = bool(nxt_words) and (nxt_words[0] in ("the", "a", "an", "its", "their", "his", "her", "more", "less")
                                              or nxt_words[0][:1].isdigit() or nxt_words[0] in ("$", "€", "£")
                                              or (verb in lexicon.BE and "VBN" in lexicon.verb_tags(nxt_words[0]))
                                              or (verb in lexicon.HAVE | lexicon.BE and len(nxt_words) > 1
                                                  and nxt_words[0] in ("long", "already", "also", "been", "now")))
            if not has_object:
                continue
            p = make(FAMILY, text, rel_start, rel_end, ["whose"], wordlists.origin(NAME, doc["relatives"]), (s0, s1),
                     pattern="relative")
            if p:
                out.append(p)
    return out


def _together(text: str, proposals: list) -> list:
    """One more proposal for the pronouns of a sentence that share an antecedent ("designs her
    chips but subcontracts her production"): changed one at a time, each leaves the sentence
    inconsistent, and a judge may prefer neither."""
    groups: dict = {}
    for p in proposals:
        if p.antecedent is not None and p.after.lower() in ("it", "its", "itself"):
            groups.setdefault((p.sentence, p.antecedent), []).append(p)
    out = []
    for (sent, ante), ps in groups.items():
        if len(ps) < 2:
            continue
        ps.sort(key=lambda p: p.start)
        start, end = ps[0].start, ps[-1].end
        pieces, pos = [], start
        for p in ps:
            pieces.append(text[pos:p.start] + p.after)
            pos = p.end
        pieces.append(text[pos:end])
        q = make(FAMILY, text, start, end, ["".join(pieces)], ps[0].origin, sent, antecedent=ante,
                 antecedent_kind=ps[0].antecedent_kind)
        if q:
            out.append(q)
    return out


FRONTED = frozenset("""when in as after before while although though if since during despite for with once
unlike like upon""".split())


def _cataphora(text: str, s0: int, t: Token, sentence: list[Mention]) -> bool:
    """The pronoun may point ahead: a person of its sex (or of either) comes later in its
    sentence ("When asked why she had come, a protester said"), or the sentence opens with a
    fronted phrase and a name follows ("In his first report, Guterres said")."""
    fem = t.lower in ("she", "her", "herself")
    later = [m for m in sentence if m.start >= t.end]
    if any(m.kind in ("person", "female" if fem else "male") for m in later):
        return True
    first = re.match(r"[\w’'-]+", text[s0:])
    return bool(first and first.group().lower() in FRONTED and any(m.kind == "name" for m in later))


def _reporting(toks: list[Token], i: int) -> bool:
    """", he said" / "” she added": the speaker of a quote, introduced elsewhere."""
    if i == 0 or i + 1 >= len(toks):
        return False
    prev, nxt = toks[i - 1].text, toks[i + 1].lower
    return prev in (",", "”", '"', "’", "'") and bool(lexicon.verb_tags(nxt) & {"VBD", "VBZ"})


@lru_cache(maxsize=2)
def _owned(key: str) -> frozenset:
    """A list of pronouns.yaml as a set: ``person_owned`` (nouns only a person owns),
    ``man_owned`` (nouns whose owner is a man: "his wife")."""
    return frozenset(str(w) for w in wordlists.load(NAME).get(key) or ())


def _possessive(toks: list[Token], i: int) -> bool:
    """"her" before a noun phrase is a possessive determiner."""
    if i + 1 >= len(toks):
        return False
    nxt = toks[i + 1]
    if not nxt.is_word:
        return False
    p = lexicon.pos(nxt.lower)
    if nxt.text[:1].isdigit() or nxt.is_cap:
        return True
    if p & {"DET", "ADP", "PRON", "AUX", "CCONJ"} or nxt.lower in ("to", "that"):
        return False
    return bool(p & {"NOUN", "ADJ"}) or not p or nxt.lower.endswith("ing")


def _case(before: str, after: str) -> str:
    return after[:1].upper() + after[1:] if before[:1].isupper() else after


def _gendered(text, toks, i, before, earlier, doc, sent):
    """she/her for an organisation (or an unknown name); he/him/his for an organisation.

    ``before``: the mentions of the window before the pronoun; ``earlier``: every mention of
    the text before it."""
    t = toks[i]
    lw = t.lower
    fem = lw in ("she", "her", "herself")
    own = "female" if fem else "male"
    other = "male" if fem else "female"
    if not before or any(m.kind == own for m in earlier):
        return None  # a woman (a man) was mentioned: the pronoun may be hers (his)
    if fem:
        if any(m.kind == "person" for m in before):
            return None  # "the minister said she"
        orgs = [m for m in before if m.kind in ("org", "name")]
    else:
        # a man may hide behind any person, title or unknown name (a surname) in the text
        if any(m.kind in ("person", "name") for m in earlier) or before[-1].kind != "org":
            return None
        orgs = [m for m in before if m.kind == "org"]
    others = [m for m in before if m.kind == other] if fem else []
    if not orgs and not others:
        return None
    owner = "her" if fem else "his"
    if any(toks[k].lower == owner and toks[k + 1].lower in _owned("person_owned") for k in range(len(toks) - 1)):
        return None  # "her legs", "his wife", "her earnings" in the sentence: only a person has them
    if lw in ("she", "he"):
        it, person = "it", "he" if fem else "she"
    elif lw in ("herself", "himself"):
        it, person = "itself", "himself" if fem else "herself"
    elif lw == "him":
        it, person = "it", "her"
    elif lw == "his":
        it, person = "its", "her"
    else:  # her: possessive or object
        poss = _possessive(toks, i)
        it, person = ("its", "his") if poss else ("it", "him")
    # French gives "her" for "his" only as a possessive (sa/son agree with the thing owned):
    # "she" or object "her" for a man is not a round-trip error
    sex_swap = fem and it == "its"
    if not orgs:  # only a man: "his"
        if not sex_swap:
            return None
        cands, ante = [person], others[-1]
    elif sex_swap and others and others[-1].start > orgs[-1].start:  # a man nearer than the company
        cands, ante = [person, it], others[-1]
    else:
        cands, ante = [it], orgs[-1]
    if lw == "her" and orgs:
        cands.append("it" if it == "its" else "its")
    cands = [_case(t.text, c) for c in cands]
    # the origin: the word-list entry that typed the antecedent, else this pattern's examples
    origin = ante.origin or wordlists.origin(NAME, doc["examples"][0 if fem else 1])
    return make(FAMILY, text, t.start, t.end, cands, origin, sent,
                antecedent=(ante.start, ante.end), antecedent_kind=ante.kind)


def _it_person(text, toks, i, before, predicates, doc, sent):
    """"It is a celebrity figure" about a man -> "He is ..."."""
    t = toks[i]
    if t.start != sent[0] or i + 2 >= len(toks) or toks[i + 1].lower not in ("is", "was"):
        return None
    if toks[i + 2].lower not in ("a", "an", "the"):
        return None
    # the predicate: "a celebrity figure", "the third man", "a former champion"
    j = i + 3
    pred = None
    while j < len(toks) and j < i + 7 and toks[j].is_word:
        lw = toks[j].lower
        if lw in predicates:
            pred = toks[j]
        elif pred is not None:
            break
        j += 1
    if pred is None:
        return None
    nxt = toks[j].lower if j < len(toks) else "."
    if "NOUN" in lexicon.pos(nxt) and not lexicon.pos(nxt) & {"ADP", "DET", "CCONJ", "PRON", "ADV", "AUX"}:
        return None  # "a celebrity hotspot": the noun goes on
    people = [m for m in before if m.kind in ("male", "female", "person", "name")]
    if not people:
        return None
    sexes = [m for m in people if m.kind in ("male", "female")]
    if pred.lower in ("man", "son", "father"):
        cands, ante = ["He"], (sexes[-1] if sexes else people[-1])
    elif pred.lower in ("woman", "daughter", "mother"):
        cands, ante = ["She"], (sexes[-1] if sexes else people[-1])
    elif sexes:
        ante = sexes[-1]
        cands = ["He", "She"] if ante.kind == "male" else ["She", "He"]
    else:
        ante = people[-1]
        cands = ["He", "She"]
    return make(FAMILY, text, t.start, t.end, cands, _pred_origin(pred.lower), sent,
                antecedent=(ante.start, ante.end), antecedent_kind=ante.kind)


def _pred_origin(word: str) -> str:
    return _lists()[5][word].origin
