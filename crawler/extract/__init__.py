"""HTML bytes + URL -> Article: decoding, site profiles, boilerplate rules, metadata and attribution evidence.

`extract` is the one entry point; everything here is pure and knows nothing of Scrapy or the database.
"""

from crawler.extract.core import EXTRACTOR_VERSION, extract

__all__ = ["EXTRACTOR_VERSION", "extract"]
