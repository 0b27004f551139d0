"""Two extractors' paragraphs made into one article: trafilatura's, checked against readability's where in doubt.

Pure functions over cleaned paragraph lists (normalised, generic line rules applied). trafilatura finds the
article on most pages but, on portal layouts, also takes the sidebars around it: lists of headlines, click
counts, category names. readability keeps one container and its siblings, which excludes those but misses
article parts kept in other containers. Where they agree, that region is the article.

- The second opinion is asked for only when trafilatura's text is in doubt: when lines that are not prose
  (no sentence ending, short) sit at its edges, or fill a tenth of its middle, or several paragraphs end cut
  off in an ellipsis (teasers), or a break of such lines cuts a small block of prose off the rest (a site
  notice after "Story tools"), or there is no prose at all.
- A second opinion without prose (readability found only a headline) is no opinion.
- When both agree on little, they found different things: the one with more prose wins.
- readability confirms a paragraph when its text holds it, or when its paragraphs make up most of it (trafilatura
  joined what readability kept apart).
- Otherwise trafilatura's paragraphs are kept from the first to the last one readability confirms, widened by
  the short lines readability has right after that span in the same order (a quantity, a closing line; not a
  dateline or a bracketed credit), and filled with the prose readability has between two paragraphs of the span
  that trafilatura skipped (a definition list, a quotation's source) or right before it (a lead).
- Before that span its prose paragraphs are kept (a teaser, a lead; not short teasers of other articles, each
  under its headline) and a standfirst right before it; after it the prose that runs on without a break (a
  closing remark) and further sections behind a subheading (a heading followed by several prose paragraphs),
  not a teaser that follows the next heading, never the headline lists and labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

from crawler.text.language import text_weight

# A paragraph is prose when it is this long and ends like a sentence, or when it is long and holds a sentence
# end somewhere (a run of names or links as long as a paragraph, "Popular: Miley Cyrus Zac Efron ...", has none).
PROSE_MIN_WEIGHT = 60
PROSE_ANY_END_WEIGHT = 150
# Sentence ends in the scripts we meet: CJK and Latin stops, closing quotes (German „…“ and «…» too), the Urdu
# and Arabic full stop and question mark, the Devanagari danda, the Myanmar, Armenian, Ethiopic and Tibetan stops.
SENTENCE_END_RE = re.compile(r"[。｡！？.!?;；…:：”“\"'’』」»«)）۔؟।॥။։።།]\s*$")
# A paragraph with this many item separators, and this many per sentence, is a flattened list, not prose.
LIST_SEPARATOR_RE = re.compile(r"[、|│｜·•/»]")
SENTENCE_RE = re.compile(r"[。｡！？!?۔؟।။։።།]|\.(?:\s|$)")
# Scripts that end sentences with a space, not a mark (Thai, Lao, Khmer): their long lines count as prose.
NO_STOP_SCRIPT_RE = re.compile(r"[\u0e00-\u0eff\u1780-\u17ff]")
LIST_MIN_SEPARATORS = 10
LIST_SEPARATORS_PER_SENTENCE = 5
# Non-prose text (letters, a CJK character counting 3) at the edges that puts trafilatura's text in doubt.
DOUBTFUL_EDGE_WEIGHT = 100
# Share of non-prose text between the first and last prose paragraph that puts it in doubt: a link list or a
# widget inside what trafilatura kept (0.3 let a tenth of the text be lottery links or a share bar).
DOUBTFUL_INNER_SHARE = 0.1
# A paragraph shorter than this is too short to show agreement (a label like "社会" matches anywhere).
MIN_AGREEMENT_WEIGHT = 20
# Below this share of the shorter text confirmed by the other, the two extractors found different things.
MIN_AGREED_SHARE = 0.5
# A paragraph is confirmed when the second extractor's paragraphs it holds make up this share of it.
MADE_OF_SHARE = 0.8
# readability's text wins outright when it is this much longer and holds nearly all of trafilatura's.
SECOND_SUPERSET_RATIO = 2.0
SECOND_SUPERSET_COVERAGE = 0.85

# After the confirmed span, a subheading (a line no heavier than this) followed by this many prose paragraphs
# opens another section of the article.
SUBHEADING_MAX_WEIGHT = 80
SECTION_MIN_PROSE = 2
# Just before the confirmed span, a line at least this heavy that is not prose is a standfirst (a lead without a
# sentence end), kept; a headline is lighter.
STANDFIRST_MIN_WEIGHT = 80
# A paragraph readability has between two confirmed ones and trafilatura lacks is added when it is prose this
# heavy: about 25 English words or 43 Chinese characters. Image captions, which trafilatura leaves out by design
# and readability keeps, are mostly lighter (on the recorded MDR pages: 84-126). It is not added when its first or
# last GAP_PROBE characters (without whitespace) are in trafilatura's text: trafilatura has it in another form.
GAP_MIN_WEIGHT = 130
GAP_PROBE = 20
# Above the span, prose paragraphs lighter than this, each alone between non-prose lines, are teasers of other
# articles when there are at least LEAD_IN_TEASERS of them.
TEASER_MAX_WEIGHT = 100
LEAD_IN_TEASERS = 2
# A run of this many lines that are not prose is a break in the text; prose behind it that is less than this share
# of all the prose puts the text in doubt.
BREAK_LINES = 2
BREAK_SMALL_SHARE = 0.2

# Teasers of other articles end where they were cut, in an ellipsis ("… who spend hours on it,..."), or in the link
# to the rest ("… on the prosecutor. READ (10 COMMENTS) »", "… Read more", "… Weiterlesen »"); this many paragraphs
# so cut put the text in doubt (one is a quotation trailing off).
TEASER_END_RE = re.compile(
    r"(?:\.\.\.|…)\s*$|"
    r"(?i:read more|continue reading|read (?:the )?full (?:story|article)|weiterlesen|mehr lesen|lire la suite|"
    r"leggi tutto|leer más|seguir leyendo|ler mais|continuar lendo|читать далее|(?:read|more)\s?\(\d+\s?comments?\)|"
    r"more\s?[»›→]|阅读全文|查看全文|閱讀全文|続きを読む)\W{0,3}$"
)
# The end of a paragraph those endings are looked for in: a pattern that ends in "$" is tried at every position of
# the text, which over a whole paragraph cost 0.2 µs a character.
TEASER_TAIL_CHARS = 32


def is_teaser_end(text: str) -> bool:
    """True for a paragraph cut off in an ellipsis or ending in a link to the rest (TEASER_END_RE)."""
    return TEASER_END_RE.search(text[-TEASER_TAIL_CHARS:]) is not None

DOUBTFUL_TEASERS = 3
# Lines the confirmed span is never extended by: a date or a time (a dateline, a timestamp), or a bracketed note
# (a credit or a source: "[來源：Cult of Mac]"). Both extractors keep them beside the article; they are not its text.
DATELINE_RE = re.compile(r"\d{1,4}\s*[-/.:年月]\s*\d{1,2}")
BRACKETED_RE = re.compile(r"^\s*[\[【(（].*[\]】)）]\s*$")


def is_list(paragraph: str) -> bool:
    """True for a flattened list (a menu, a tag cloud): many item separators, few sentence ends."""
    separators = len(LIST_SEPARATOR_RE.findall(paragraph))
    return separators >= LIST_MIN_SEPARATORS and separators > LIST_SEPARATORS_PER_SENTENCE * (
        len(SENTENCE_RE.findall(paragraph)) + 1
    )


def is_prose(paragraph: str, weight: int | None = None) -> bool:
    """True for running text: long enough and ending like a sentence, or long with a sentence end inside it;
    never a flattened list."""
    weight = text_weight(paragraph) if weight is None else weight
    if weight < PROSE_MIN_WEIGHT or is_list(paragraph):
        return False
    if SENTENCE_END_RE.search(paragraph) is not None:
        return True
    return weight >= PROSE_ANY_END_WEIGHT and (
        SENTENCE_RE.search(paragraph) is not None or NO_STOP_SCRIPT_RE.search(paragraph) is not None
    )


@dataclass(frozen=True)
class _Paragraph:
    text: str
    weight: int
    prose: bool
    teaser: bool  # cut off in an ellipsis or a link to the rest


def _measured(paragraphs: Sequence[str]) -> list[_Paragraph]:
    out = []
    for text in paragraphs:
        weight = text_weight(text)
        out.append(_Paragraph(text, weight, is_prose(text, weight), is_teaser_end(text)))
    return out


def _in_doubt(paragraphs: list[_Paragraph]) -> bool:
    prose = [p.prose for p in paragraphs]
    if not any(prose):
        return True
    first, last = prose.index(True), len(prose) - 1 - prose[::-1].index(True)
    edge = sum(p.weight for i, p in enumerate(paragraphs) if i < first or i > last)
    inner = sum(p.weight for i, p in enumerate(paragraphs) if first < i < last and not p.prose)
    if edge >= DOUBTFUL_EDGE_WEIGHT or inner > DOUBTFUL_INNER_SHARE * sum(p.weight for p in paragraphs):
        return True
    if sum(p.teaser for p in paragraphs) >= DOUBTFUL_TEASERS:
        return True
    return _small_block_behind_a_break(paragraphs, first, last)


def _small_block_behind_a_break(paragraphs: list[_Paragraph], first: int, last: int) -> bool:
    """True when a run of BREAK_LINES non-prose lines inside the prose cuts off a small part of it (less than
    BREAK_SMALL_SHARE of the prose weight) at either end: the article and, behind a "See also / Story tools"
    break, a site notice ("This page is best viewed in an up-to-date browser ..."), or a promotion above it."""
    total = sum(p.weight for p in paragraphs[first : last + 1] if p.prose)
    before, run = 0, 0
    for p in paragraphs[first : last + 1]:
        if not p.prose:
            run += 1
            continue
        if run >= BREAK_LINES and min(before, total - before) < BREAK_SMALL_SHARE * total:
            return True
        before, run = before + p.weight, 0
    return False


def in_doubt(paragraphs: Sequence[str]) -> bool:
    """True when the text's edges (or much of its middle) are not prose, or there is no prose at all."""
    return _in_doubt(_measured(paragraphs))


def paragraph_key(text: str) -> str:
    """A paragraph as compared between the extractors (and with the page's description, crawler.extract.lead):
    without whitespace, which they break differently.
    Both read the same decoded page and their paragraphs are normalised alike, so no other folding is needed
    (matching across scripts and cases, `match_form`, cost 2.5 % of an extraction here). str.split() cuts at the
    characters a regular expression's \\s matches (both ask str.isspace), in a quarter of the time."""
    return "".join(text.split())


def _merge(primary: list[_Paragraph], second: list[_Paragraph]) -> list[_Paragraph]:
    if not primary:  # whatever the second extractor found is more than nothing
        return second
    if not any(p.prose for p in second):  # a headline or a caption is no opinion on where the article is
        return primary
    second_text = paragraph_key(" ".join(p.text for p in second))
    keys = [paragraph_key(p.text) for p in primary]
    second_keys = [paragraph_key(p.text) for p in second if p.weight >= MIN_AGREEMENT_WEIGHT]
    confirmed = _confirmed(primary, keys, second_text, second_keys)
    weight_primary = sum(p.weight for p in primary)
    weight_second = sum(p.weight for p in second)
    agreed = sum(p.weight for p, ok in zip(primary, confirmed, strict=True) if ok)
    if agreed < MIN_AGREED_SHARE * min(weight_primary, weight_second):
        prose_second = sum(p.weight for p in second if p.prose)
        return second if prose_second > sum(p.weight for p in primary if p.prose) else primary
    if weight_second > SECOND_SUPERSET_RATIO * weight_primary and agreed >= SECOND_SUPERSET_COVERAGE * weight_primary:
        return second
    hits = [i for i, ok in enumerate(confirmed) if ok]
    first, last = hits[0], _widen([p.text for p in primary], keys, second_text, hits[-1])
    after = primary[last + 1 :]
    before = _lead_in(primary[:first])
    if first > 0 and not primary[first - 1].prose and primary[first - 1].weight >= STANDFIRST_MIN_WEIGHT:
        before.append(primary[first - 1])
    span = _filled(primary, keys, first, last, second)
    in_span = {paragraph_key(p.text) for p in span}
    return before + span + after[: _run_on(after, [key in in_span for key in keys[last + 1 :]])]


def _filled(
    primary: Sequence[_Paragraph], keys: Sequence[str], first: int, last: int, second: Sequence[_Paragraph]
) -> list[_Paragraph]:
    """trafilatura's confirmed span with the prose paragraphs readability has between two of its paragraphs and
    trafilatura lacks (a definition list, a quotation's source line, a paragraph in a table cell that trafilatura
    skipped). A paragraph goes in after the one readability has just before it, when the one readability has
    just after it also lies in the span, in the same order. The prose readability has right before the span's
    first paragraph is its lead, and goes in before it. A paragraph trafilatura has in another form (its start
    or end found in trafilatura's text: a watermark cut off, a different break) is not added twice."""
    primary_text = "".join(keys)
    at_key = {keys[i]: i for i in range(last, first - 1, -1) if keys[i]}  # the first of equal paragraphs
    inserts: dict[int, list[_Paragraph]] = {}
    lead = first - 1  # the place of what goes before the span's first paragraph
    anchor: int | None = lead
    pending: list[_Paragraph] = []
    for para in second:
        key = paragraph_key(para.text)
        if not key:
            continue
        if key in primary_text:
            at = at_key.get(key)
            if at is None:  # looked for from the last place found on: readability's order is trafilatura's
                start = anchor if anchor is not None and anchor >= first else first
                at = next(
                    (
                        i
                        for i in chain(range(start, last + 1), range(first, start))
                        if key in keys[i] or (primary[i].weight >= MIN_AGREEMENT_WEIGHT and keys[i] in key)
                    ),
                    None,
                )
            if at is not None and anchor is not None and pending and at >= anchor and (anchor > lead or at == first):
                inserts.setdefault(anchor, []).extend(pending)
            anchor, pending = at, []
        elif key[:GAP_PROBE] in primary_text or key[-GAP_PROBE:] in primary_text:
            continue
        elif anchor is not None and para.prose and not para.teaser and para.weight >= GAP_MIN_WEIGHT:
            pending.append(para)
        elif anchor == lead:
            pending = []  # a lead runs right up to the span
    out: list[_Paragraph] = list(inserts.get(lead, ()))
    for i in range(first, last + 1):
        out.append(primary[i])
        out.extend(inserts.get(i, ()))
    return out


def _lead_in(above: Sequence[_Paragraph]) -> list[_Paragraph]:
    """The prose paragraphs above the confirmed span, without teasers of other articles: short paragraphs each
    alone between lines that are not prose (a headline and its teaser), when there are several of them."""
    prose = [p.prose for p in above]
    alone = [
        i
        for i, p in enumerate(above)
        if prose[i]
        and p.weight < TEASER_MAX_WEIGHT
        and (i == 0 or not prose[i - 1])
        and (i + 1 == len(above) or not prose[i + 1])
    ]
    dropped = set(alone) if len(alone) >= LEAD_IN_TEASERS else set()
    return [p for i, p in enumerate(above) if prose[i] and i not in dropped]


def _confirmed(
    primary: Sequence[_Paragraph], keys: Sequence[str], second_text: str, second_keys: Sequence[str]
) -> list[bool]:
    """Which paragraphs the second extractor's text holds. Each of its copies confirms one paragraph: a page that
    shows a paragraph twice (a teaser block repeating the article's lead) has it confirmed once, where readability
    found it, not twice, which would stretch the span over everything between the copies."""
    left: dict[str, int] = {}
    made: set[str] = set()
    out = []
    for para, key in zip(primary, keys, strict=True):
        if para.weight < MIN_AGREEMENT_WEIGHT:
            out.append(False)
            continue
        if key not in left:
            left[key] = second_text.count(key)
            if not left[key] and _made_of(key, second_keys):
                made.add(key)
        out.append(left[key] > 0 or key in made)  # made of the second's paragraphs: each copy confirmed
        left[key] -= 1
    return out


def _made_of(key: str, second_keys: Sequence[str]) -> bool:
    """True when the second extractor's paragraphs make up most of this one: trafilatura joined what readability
    kept apart, and added a little (a wire credit at the end: "… in 17 meetings. Copyright 2008 by UPI")."""
    return sum(len(k) for k in second_keys if k in key) >= MADE_OF_SHARE * len(key)


def _widens(text: str) -> bool:
    return DATELINE_RE.search(text) is None and BRACKETED_RE.match(text) is None


def _widen(texts: Sequence[str], keys: Sequence[str], second_text: str, last: int) -> int:
    """The confirmed span grown at its end by the paragraphs the second extractor has right after it, in the same
    order: short lines (a quantity, a closing line, a last list item) too light to confirm anything alone. Not at
    its start: what both keep above an article is its kicker, caption or dateline, not its text."""
    found_last = second_text.rfind(keys[last])
    if found_last < 0:  # confirmed by the paragraphs it is made of: no single place to widen from
        return last
    end = found_last + len(keys[last])
    while last + 1 < len(keys) and keys[last + 1] and _widens(texts[last + 1]):
        found = second_text.find(keys[last + 1], end)
        if found != end:
            break
        last, end = last + 1, found + len(keys[last + 1])
    return last


def _run_on(after: Sequence[_Paragraph], repeated: Sequence[bool]) -> int:
    """How many paragraphs after the confirmed span still belong to the article: prose without a break, and
    a section of it behind a subheading (one short line followed by at least SECTION_MIN_PROSE prose
    paragraphs). A heading followed by a single teaser is where the article ended; a paragraph cut off in an
    ellipsis is a teaser, never the article running on; one the span already holds (`repeated`) is the page
    starting over (a teaser block that repeats the article's first paragraphs, then the article)."""
    running = [p.prose and not p.teaser and not again for p, again in zip(after, repeated, strict=True)]
    n = 0
    while n < len(after):
        if running[n]:
            n += 1
            continue
        section = running[n + 1 : n + 1 + SECTION_MIN_PROSE]
        if after[n].weight <= SUBHEADING_MAX_WEIGHT and len(section) == SECTION_MIN_PROSE and all(section):
            n += 1
            continue
        break
    return n


def merge(primary: Sequence[str], second: Sequence[str]) -> list[str]:
    """One article from trafilatura's paragraphs (`primary`) and readability's (`second`)."""
    return [p.text for p in _merge(_measured(primary), _measured(second))]


def consensus(primary: Sequence[str], second: Callable[[], Sequence[str]]) -> tuple[list[str], bool]:
    """The article's paragraphs, and whether the second extractor was asked (only when `primary` is in doubt)."""
    measured = _measured(primary)
    if not _in_doubt(measured):
        return list(primary), False
    return [p.text for p in _merge(measured, _measured(second()))], True
