"""What extraction would otherwise load on its first page, loaded once when the package is imported.

dateparser builds its timezone and locale patterns the first time it parses (0.1 s for English, more for each
further language, 8 MB), the language model is read on its first detection (4 MB), and readability's document
class is made on its first use. Not loaded here: justext's stoplists of every language, which trafilatura reads
the first time a text is short (0.1 s, but 33 MB in every process, and a crawl of profiled sites never needs
them). Done here when `crawler.extract` is imported, the crawl's forkserver (which imports the extraction
pipeline before it forks, `crawler.asyncpool`) does it once for all its workers, whose memory then shares it,
and no page's extraction is charged with it: a crawl's first pages, or a benchmark's, cost what any page costs.
A failure here is logged and costs nothing else: the first page then loads what is missing, and fails there if
it cannot.
"""

from __future__ import annotations

import logging

from crawler.extract.body import warm_up_extractors
from crawler.extract.dates import warm_up_dateparser
from crawler.text.language import detect_language

log = logging.getLogger(__name__)

# A date dateparser reads in each of the languages it is asked for, none of them in a fast path's form.
SAMPLE_DATES = (
    "Tuesday, 12 January 2021 10:05 GMT",
    "Dienstag, 12. Januar 2021, 10:05 Uhr",
    "2021年1月12日星期二 上午10:05",
)


def warm_up() -> bool:
    """Load dateparser's tables, the language model and readability's document class now; False (and a warning)
    when one of them could not be loaded."""
    try:
        warm_up_dateparser(SAMPLE_DATES)
        detect_language("The council met on Tuesday.")
        warm_up_extractors()
    except Exception as exc:  # the first page loads it then, and reports a real failure where it happens
        log.warning("extraction warm-up failed, the first page will load what is missing: %r", exc)
        return False
    return True
