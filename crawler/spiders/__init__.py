"""Spiders: one module per site family plus the generic feed/sitemap spider; discovery only."""
