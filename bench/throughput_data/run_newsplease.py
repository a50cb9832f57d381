"""news-please's own crawl-and-extract pipeline over the generated site (run in the baselines venv).

    bench/.data/venv-baselines/bin/python bench/throughput_data/run_newsplease.py MANIFEST WORKDIR

Writes a news-please config directory under WORKDIR: its packaged config.cfg with only these changes — the working
path (WORKDIR), CONCURRENT_REQUESTS_PER_DOMAIN 8 (newsmon's local setting; the default is 4), LOG_LEVEL WARNING —
and a sitelist.hjson naming each outlet's home page with the SitemapCrawler (its default crawler: sitemaps from
robots.txt, every URL in them passed through its article heuristics, then ArticleMasterExtractor — newspaper4k,
readability, date and language extractors — and stored as HTML and JSON files, its default pipelines).

Then runs news-please's per-site process, single_crawler.py (see single() for the one change a site on a port
needs), for every outlet, at most
``number_of_parallel_crawlers`` (5, its default) at a time — what ``news-please -c DIR`` does, without the
launcher's 10-second polling loop, which would only add idle time at the end. Prints one JSON line: the article
URLs of the manifest that have a stored JSON file.
"""

from __future__ import annotations

import configparser
import json
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import newsplease


def main() -> int:
    manifest = json.loads(Path(sys.argv[1]).read_text())
    work = Path(sys.argv[2]).resolve()
    package = Path(newsplease.__file__).parent
    config_dir = work / "config"
    config_dir.mkdir(parents=True, exist_ok=True)
    text = (package / "config" / "config.cfg").read_text()
    text = re.sub(r"(?m)^working_path = .*$", f"working_path = {work}/", text)
    text = re.sub(r"(?m)^CONCURRENT_REQUESTS_PER_DOMAIN\s*=.*$", "CONCURRENT_REQUESTS_PER_DOMAIN=8", text)
    text = re.sub(r"(?m)^LOG_LEVEL = .*$", "LOG_LEVEL = WARNING", text)
    (config_dir / "config.cfg").write_text(text)
    sites = [{"url": f"http://127.0.0.1:{o['port']}/", "crawler": "SitemapCrawler"} for o in manifest["outlets"]]
    (config_dir / "sitelist.hjson").write_text(json.dumps({"base_urls": sites}, indent=1))

    parsed = configparser.RawConfigParser()
    parsed.read_string(text)
    parallel = int(parsed["Crawler"].get("number_of_parallel_crawlers", "5"))
    single = package / "single_crawler.py"

    def crawl(index: int) -> int:
        with open(work / f"crawler-{index}.log", "wb") as log:
            return subprocess.call([sys.executable, __file__, "--single", str(single), str(config_dir / "config.cfg"),
                                    str(config_dir / "sitelist.hjson"), str(index), "False", "False"],
                                   stdout=log, stderr=subprocess.STDOUT)

    started = time.monotonic()
    with ThreadPoolExecutor(parallel) as pool:
        codes = list(pool.map(crawl, range(len(sites))))
    elapsed = time.monotonic() - started
    wanted = {a["url"] for a in manifest["articles"]}
    stored = set()
    for path in (work / "data").rglob("*.json"):
        try:
            url = json.loads(path.read_text(encoding="utf-8")).get("url")
        except (ValueError, OSError):
            continue
        if url in wanted:
            stored.add(url)
    print(json.dumps({"stored": len(stored), "seconds": elapsed, "exit_codes": codes}))
    return 0


def single() -> None:
    """single_crawler.py, with one change: the allowed domain it derives from a site's URL loses its port.

    news-please keeps "127.0.0.1:18400" as the spider's allowed domain, and Scrapy's offsite filter, which compares
    host names without ports, then drops every request; an outlet on a real host name has no port to lose.
    """
    import runpy

    from newsplease.helper_classes.url_extractor import UrlExtractor

    original = UrlExtractor.get_allowed_domain
    UrlExtractor.get_allowed_domain = staticmethod(
        lambda url, allow_subdomains=True: re.sub(r":\d+$", "", original(url, allow_subdomains)))
    sys.argv = sys.argv[2:]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--single"]:
        single()
    else:
        sys.exit(main())
