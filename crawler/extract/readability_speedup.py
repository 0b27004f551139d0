"""Faster, identical pieces of readability-lxml: the whitespace folding it runs on every element's text, and two
passes over the page that serialise or test every element.

readability measures each candidate element and each of its links by the length of its folded text
(`text_length`, `clean`): runs of 255+ whitespace become 255 spaces, whitespace around a line break becomes
one break, tabs and runs of spaces become one space, and the ends are stripped. It does that with three
regular-expression passes over the text of every element, nested elements included, which was 40 % of
readability's time on the development pages. Most of it is the pattern `\\s*\\n\\s*`, tried at every
position of the text.

`fast_clean` gives the same string (a test holds it to the library's function on random whitespace-heavy
text and on the recorded pages): the line-break rule is done by splitting at breaks and stripping the parts,
and the passes that cannot apply are skipped. `install` puts it in place of readability's only when it
answers every probe exactly as the installed library's does, so a readability release that changes its
folding keeps its own.

`faster_passes` gives two of readability's `Document` passes, for a subclass to take over:
- `transform_misused_divs_into_paragraphs` asks of every <div> whether its serialised children match
  `<(blockquote|dl|div|img|ol|p|pre|table|ul)`, and of every inline child the same of its own serialisation:
  each div's whole subtree turned into a string, nested divs again and again (a fifth of readability's time).
  A serialisation holds `<` only where an element starts (text and attribute values are escaped), except
  inside the raw text of <script> and <style> in HTML output. So the question is whether an element below
  (or at) it has a tag with one of those beginnings, asked of the elements and stopped at the first; where a
  script or style sits inside, the library's own serialisation answers.
- `remove_unlikely_candidates` tests the class and id of every element; elements with neither are skipped
  by the library itself, so only those with one are visited, and names are tested with the patterns made
  case-sensitive over the lowercased names where that finds the same (crawler.text.case_blind).
They are used only when the library's pattern is the one above and both passes leave a probe page exactly as
the library's own do; tests hold them to the library on every recorded page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree
from lxml.html import HtmlElement, document_fromstring, fragment_fromstring

from crawler.text.case_blind import finds

LONG_RUN = 255
_LONG_RUN_RE = re.compile(rf"\s{{{LONG_RUN},}}")
_SPACES_RE = re.compile(r"\t|[ \t]{2,}")
_LONG_RUN_SPACES = " " * LONG_RUN
# Texts the installed library's `clean` must fold exactly as `fast_clean` does before it is replaced.
PROBES = (
    "",
    "  a  ",
    "a \n\n b",
    "a\t\tb  c",
    " \xa0x\u3000\n\r y\x0b",
    "\n\n",
    "a\r\nb",
    "x" + " \n" * 200 + "y",
    "p" + "\xa0" * 300 + "q",
)


def fast_clean(text: str) -> str:
    """readability-lxml's `clean(text)`, computed with fewer passes over the text."""
    if len(text) >= LONG_RUN:
        text = _LONG_RUN_RE.sub(_LONG_RUN_SPACES, text)
    if "\n" in text:
        text = "\n".join([part for part in (line.strip() for line in text.split("\n")) if part])
    if "\t" in text or "  " in text:
        text = _SPACES_RE.sub(" ", text)
    return text.strip()


def agrees(reference: Callable[[str], str]) -> bool:
    """True when `reference` folds every probe exactly as `fast_clean` does."""
    return all(reference(probe) == fast_clean(probe) for probe in PROBES)


def install() -> bool:
    """Use `fast_clean` inside readability-lxml if it agrees with the installed version's own; True if in use."""
    import readability.readability as module

    if module.clean is fast_clean:
        return True
    if not agrees(module.clean):
        return False
    module.clean = fast_clean
    return True


# What readability's divToPElementsRe finds right after a "<" (case-insensitively): these tag beginnings.
DIV_TO_P_PATTERN = "<(blockquote|dl|div|img|ol|p|pre|table|ul)"
BLOCK_TAG_PREFIXES = ("blockquote", "dl", "div", "img", "ol", "p", "table", "ul")
# Inline children that readability gathers into a new paragraph inside a div (its own list).
INLINE_TAGS = frozenset({"a", "b", "cite", "code", "em", "font", "i", "small", "span", "strong", "sub", "sup", "u"})
# Elements whose text HTML serialisation writes unescaped.
RAW_TEXT_TAGS = frozenset({"script", "style"})
_WITH_CLASS_OR_ID = etree.XPath(".//*[@class != '' or @id != '']")
_UNDER_PRE_OR_CODE = etree.XPath("ancestor-or-self::pre | ancestor-or-self::code")
_HOLDS_MAIN = etree.XPath("descendant-or-self::main | descendant-or-self::article | descendant-or-self::math")
PROBE_PAGE = (
    "<html><body><div id='menu-top'><a href='/'>Home</a></div><div class='sidebar'><article>x</article></div>"
    "<div class='footer content'><p>kept</p></div><pre><span class='comment'>code</span></pre>"
    "<div>Lead text <b>bold</b> tail<br><br><span>inline <a href='#'>link</a></span> end"
    "<span><img src='i.png'></span><em title='a<p>b'>safe</em><span><style>q<p</style></span>"
    "<div>inner <i>only</i></div><section><div class='comment-box'>gone</div></section></div>"
    "<div><DL><dt>term</dt></DL></div><div><o:p>word</o:p></div><div><pre>code</pre> after</div>"
    "</body></html>"
)


def _holds_block(element: HtmlElement, with_itself: bool) -> bool | None:
    """Whether the serialisation of the element's children (or of the element) would match DIV_TO_P_PATTERN;
    None when a script or style inside makes the answer depend on its raw text."""
    for node in element.iter() if with_itself else element.iterdescendants():
        tag = node.tag
        if not isinstance(tag, str):
            continue
        tag = tag.lower()
        if tag.startswith(BLOCK_TAG_PREFIXES):
            return True
        if with_itself and tag in RAW_TEXT_TAGS:
            return None
    return False


def transform_misused_divs_into_paragraphs(doc: Any) -> None:
    """readability's pass: a div without block content becomes a <p>; in the divs left, loose text and runs of
    inline children are wrapped in new paragraphs and <br>s dropped."""
    from readability.readability import REGEXES

    for div in doc.html.findall(".//div"):
        if _holds_block(div, with_itself=False) is False:
            div.tag = "p"
    for div in doc.html.findall(".//div"):
        children = list(div)
        paragraph = None
        if div.text and div.text.strip():
            paragraph = fragment_fromstring("<p/>")
            paragraph.text, div.text = div.text, None
            div.insert(0, paragraph)
        for child in children:
            if child.tag == "br" or child.tag not in INLINE_TAGS:
                paragraph = None
                continue
            block = _holds_block(child, with_itself=True)
            if block is None:
                block = REGEXES["divToPElementsRe"].search(etree.tounicode(child, method="html")) is not None
            if block:
                paragraph = None
                continue
            if paragraph is None:
                paragraph = fragment_fromstring("<p/>")
                child.addprevious(paragraph)
            paragraph.append(child)
        for position, child in reversed(list(enumerate(div))):
            if child.tail and child.tail.strip():
                tail = fragment_fromstring("<p/>")
                tail.text, child.tail = child.tail, None
                div.insert(position + 1, tail)
            if child.tag == "br":
                child.drop_tree()


def remove_unlikely_candidates(doc: Any) -> None:
    """readability's pass: elements whose class or id sound like page furniture (and not like content) are
    removed, unless they are html/body, inside preformatted code, or hold a main/article/math element."""
    from readability.readability import REGEXES

    unlikely, maybe = REGEXES["unlikelyCandidatesRe"], REGEXES["okMaybeItsACandidateRe"]
    for element in _WITH_CLASS_OR_ID(doc.html):
        names = "{} {}".format(element.get("class", ""), element.get("id", ""))
        if (
            finds(unlikely, names)
            and not finds(maybe, names)
            and element.tag not in ("html", "body")
            and not _UNDER_PRE_OR_CODE(element)
            and not _HOLDS_MAIN(element)
        ):
            element.drop_tree()


FASTER_PASSES: dict[str, Callable[[Any], None]] = {
    "transform_misused_divs_into_paragraphs": transform_misused_divs_into_paragraphs,
    "remove_unlikely_candidates": remove_unlikely_candidates,
}


def faster_passes(document_class: Any, probe: str = PROBE_PAGE) -> dict[str, Callable[[Any], None]]:
    """The faster passes a subclass of `document_class` may use: all of them when the installed library's pattern
    is the expected one and each leaves the probe page exactly as the library's own pass does, else none."""
    from readability.readability import REGEXES

    pattern = REGEXES["divToPElementsRe"]
    if pattern.pattern != DIV_TO_P_PATTERN or not pattern.flags & re.IGNORECASE:
        return {}
    for name, faster in FASTER_PASSES.items():
        theirs, ours = document_class(probe), document_class(probe)
        theirs.html, ours.html = document_fromstring(probe), document_fromstring(probe)
        getattr(document_class, name)(theirs)
        faster(ours)
        if etree.tostring(theirs.html) != etree.tostring(ours.html):
            return {}
    return dict(FASTER_PASSES)
