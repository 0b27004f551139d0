"""Scrapy commands of this project (settings COMMANDS_MODULE): `scrapy crawl` with clear errors."""
