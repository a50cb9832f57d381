"""newsmon's own Scrapy signals."""

# Sent by the store pipeline for each item once its batch's transaction has ended (committed, or refused and
# counted as errors/store): item=ArticleItem. A cluster worker settles the item's in-flight request on it.
item_stored = object()
