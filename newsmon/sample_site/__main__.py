"""python -m newsmon.sample_site [--port N] [--slow-seconds S] [--variant base|updated]

Serves the sample news site on 127.0.0.1 in the foreground; prints the base URL and the sources.yaml text.
"""

from __future__ import annotations

import argparse
import sys
import threading

from . import VARIANTS, SampleSite, sources_yaml


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newsmon.sample_site",
                                     description="Serve the newsmon sample news site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default 0: any free port)")
    parser.add_argument("--slow-seconds", type=float, default=3.0,
                        help="delay of the slow page (default 3.0)")
    parser.add_argument("--variant", choices=VARIANTS, default="base", help="site variant to serve")
    args = parser.parse_args(argv)
    try:
        site = SampleSite(port=args.port, slow_seconds=args.slow_seconds).start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    site.set_variant(args.variant)
    print(f"Sample news site at {site.base_url}/  (Ctrl-C to stop)", flush=True)
    print("--- sources.yaml ---")
    print(sources_yaml(site.base_url), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
