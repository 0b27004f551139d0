"""Raw capture and replay: WARC files of every response, read back for offline crawls and re-extraction.

`writer` writes rotating gzip WARC files, `middleware` captures a Scrapy crawl into them, `reader` reads
any WARC file back, `replay` answers a Scrapy crawl from WARC files, `reextract` re-runs extraction on them.
"""
