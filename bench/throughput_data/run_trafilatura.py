"""trafilatura's own crawl-and-extract pipeline, its command line, with two changes a local site needs.

    python bench/throughput_data/run_trafilatura.py [trafilatura CLI arguments]

1. courlan (trafilatura's URL library) accepts an IPv4 host only without a port, so every ``http://127.0.0.1:PORT/``
   is "invalid URL"; its domain pattern here also takes ``IP:PORT``. A site on a real host name needs no change.
2. ``--sitemap`` keeps its URL store compressed, and with courlan 1.4.0 a compressed store never records a URL as
   visited (UrlStore.get_url marks a decompressed copy, then _store_urls merges it into the stored, unvisited
   list), so the download loop fetches each site's first URL forever. The store is left uncompressed here, as
   ``--feed`` and ``--list`` leave it; nothing else in the pipeline changes.
"""

import re
import sys

import courlan.urlutils

courlan.urlutils.DOMAIN_REGEX = re.compile(
    r"(?:(?:f|ht)tp)s?://"
    r"(?:[^/?#]{,63}\.)?"
    r"([^/?#.]{4,63}\.[^/?#]{2,63}|"
    r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d{1,5})?|"  # IPv4, here with an optional port
    r"[0-9a-f:]{16,})"
    r"(?:/|$)"
)

import trafilatura.cli_utils  # noqa: E402
from trafilatura.downloads import add_to_compressed_dict  # noqa: E402


def _uncompressed(*args, **kwargs):
    return add_to_compressed_dict(*args, **{**kwargs, "compression": False})


trafilatura.cli_utils.add_to_compressed_dict = _uncompressed

from trafilatura.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
