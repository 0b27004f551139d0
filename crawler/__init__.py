"""newscrawl: a multilingual (zh/en/de) news-and-policy corpus crawler."""

__version__ = "0.1.0"
