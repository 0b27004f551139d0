"""HTML bytes + URL -> Article: decoding, site profiles, boilerplate rules, metadata and attribution evidence.

`extract` is the one entry point; everything here is pure and knows nothing of Scrapy or the database. What
extraction loads on first use is loaded on import (crawler.extract.warmup).
"""

from crawler.extract.core import EXTRACTOR_VERSION, extract
from crawler.extract.warmup import warm_up

warm_up()

__all__ = ["EXTRACTOR_VERSION", "extract"]
