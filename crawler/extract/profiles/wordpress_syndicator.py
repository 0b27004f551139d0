"""Qpute-style WordPress syndicators: posts that end "This is a syndicated post. Read the original post at Source link".

Claimed by host (qpute.com) or, on any host, by WordPress markup carrying that footer.
"""

from crawler.extract.profile import Profile

SYNDICATION_PHRASE = "This is a syndicated post"
SYNDICATION_FOOTER = (
    "//*[contains(@class,'entry-content') or contains(@class,'post-content')]"
    f"//*[contains(., '{SYNDICATION_PHRASE}')]"
)
CONTAINER = (
    "//article//div[contains(@class,'entry-content')]",
    "//div[contains(@class,'entry-content')]",
    "//div[contains(@class,'post-content')]",
)
DROP = (
    "//*[contains(@class,'sharedaddy') or contains(@class,'share') or contains(@class,'jp-relatedposts')]",
    "//*[contains(@class,'post-views') or contains(@class,'entry-meta') or contains(@class,'entry-footer')]",
    "//*[@id='comments' or @id='respond' or contains(@class,'comment')]",
    "//*[contains(@class,'wp-caption-text') or contains(@class,'yarpp-related')]",
)
TITLE = ("//h1[contains(@class,'entry-title')]", "//meta[@property='og:title']/@content")
PUBLISHED = (
    "//meta[@property='article:published_time']/@content",
    "//time[contains(@class,'entry-date')]/@datetime",
)
AUTHORS = ("//*[contains(@class,'author') and contains(@class,'vcard')]//a",)
SECTION = ("//*[contains(@class,'cat-links')]//a",)

PROFILE = Profile(
    name="wordpress_syndicator",
    hosts=("qpute.com",),
    page_signature=SYNDICATION_FOOTER,
    page_phrase=SYNDICATION_PHRASE,
    container=CONTAINER,
    drop=DROP,
    title=TITLE,
    published=PUBLISHED,
    authors=AUTHORS,
    section=SECTION,
)
