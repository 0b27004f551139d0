"""The syndication linker: after a crawl, links copies to their originals (explicit attributions, same-language
near-duplicates, cross-language translations) with evidence and a score. Entry points in `crawler.linking.run`:
`link_new(store, since_run)` and `link_all(store)`; the judging code is pure (anchors, numbers, shingles,
neardup, translation, explicit) and `db` is the thin database adapter."""
