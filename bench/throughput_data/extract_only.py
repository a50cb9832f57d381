"""Ceiling 2: crawler.extraction.extract_article — what newsmon runs on each page — alone, on all cores.

    .venv/bin/python bench/throughput_data/extract_only.py MANIFEST [--procs N] [--real DIR]

A multiprocessing pool of N processes (default: all cores), each warmed up (imports done, one page extracted)
before the clock starts; then every article page of the manifest, read from disk and gunzipped in the worker
(~1 ms, counted), is extracted once. Prints one JSON line: pages, seconds (wall, the timed part), CPU seconds
spent inside extract_article summed over workers, pages with no body.

--real DIR also extracts the reviewed real pages of ../shared/extraction-dev (DIR) in this one process and reports
their mean CPU ms per page: how the generated pages' cost compares with real news pages'.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

_SITE: Path | None = None


def _init(site: str) -> None:
    global _SITE
    _SITE = Path(site)
    from crawler.extraction import extract_article  # noqa: F401  (imports and caches warmed before timing)


def _extract(task: tuple[str, str]) -> tuple[float, bool]:
    from crawler.extraction import extract_article

    file, url = task
    assert _SITE is not None
    html = gzip.decompress((_SITE / file).read_bytes())
    started = time.process_time()
    page = extract_article(html, url)
    return time.process_time() - started, bool(page.body)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("manifest", type=Path)
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--real", type=Path)
    args = parser.parse_args()
    manifest = json.loads(args.manifest.read_text())
    site = args.manifest.parent
    tasks = [(a["file"], a["url"]) for a in manifest["articles"]]
    with Pool(args.procs, initializer=_init, initargs=(str(site),)) as pool:
        pool.map(_extract, tasks[: args.procs], chunksize=1)  # warm-up: one page per worker, not timed
        started = time.monotonic()
        results = pool.map(_extract, tasks, chunksize=4)
        seconds = time.monotonic() - started
    out = {"pages": len(tasks), "seconds": seconds, "extract_cpu": sum(r[0] for r in results),
           "no_body": sum(1 for r in results if not r[1]), "procs": args.procs}
    if args.real and (args.real / "gold.jsonl").is_file():
        from crawler.extraction import extract_article

        _init(str(site))
        rows = [json.loads(line) for line in (args.real / "gold.jsonl").read_text().splitlines() if line]
        cpu = 0.0
        for row in rows:
            html = gzip.decompress((args.real / row["html"]).read_bytes())
            started_cpu = time.process_time()
            extract_article(html, row["url"])
            cpu += time.process_time() - started_cpu
        out["real_pages"] = len(rows)
        out["real_cpu"] = cpu
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
