"""Crawling on several machines: scrapy-redis's shared frontier, made reliable and bounded for months of running.

keys       every Redis key newsmon uses, and the bound on each
queue      the request queue: a popped request is kept in its worker's in-flight hash until it is settled
dupefilter request fingerprints in day buckets that expire
scheduler  scrapy-redis's scheduler on those two
ledger     per-run counts and outstanding work; the worker that settles a run's last request finishes it
worker     the Scrapy extension a worker runs: start messages, heartbeats, requeueing dead workers' requests
politeness each site's delay kept by all workers together: a turn per request, taken in Redis
"""
