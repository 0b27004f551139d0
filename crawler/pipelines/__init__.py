"""Scrapy item pipelines: thin adapters around extraction, normalisation and the store."""
