#!/usr/bin/python3
"""The seed's Python asyncio + aiohttp fetcher, as a benchmark peer.

Same shape as the code of the public Python-vs-Julia comparison this project started from: one
aiohttp.ClientSession with the default connector (at most 100 connections), one task per URL
made with asyncio.create_task, asyncio.gather over all of them, and each task does
    async with session.get(url) as resp: return await resp.read()
so every body is kept in memory until all are done, as the seed did.

Over HTTPS with a private CA (bench/run's TLS profiles), --cafile FILE gives the session a connector
with ssl.create_default_context(cafile=FILE), as an aiohttp user trusts a CA; it is the default
connector otherwise (same limit of 100 connections, same default SSL context but for the CA).

Usage: /usr/bin/python3 seed_aiohttp.py [--cafile PEM] --from URLFILE   (or URLs as arguments)
Prints one JSON object as its last line: objects, bytes, failed (non-200 answers),
wall_seconds (the fetch itself, without interpreter start-up).
"""
import argparse
import asyncio
import json
import ssl
import sys
import time

import aiohttp


async def fetch(session, url):
    async with session.get(url) as resp:
        return resp.status, await resp.read()


async def main(urls, cafile):
    # The connector must be made inside the event loop.
    connector = aiohttp.TCPConnector(ssl=ssl.create_default_context(cafile=cafile)) if cafile else None
    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(fetch(session, url)) for url in urls]
        return await asyncio.gather(*tasks)


def run() -> int:
    ap = argparse.ArgumentParser(description="seed asyncio + aiohttp fetcher")
    ap.add_argument("--from", dest="url_file", help="file with one URL a line")
    ap.add_argument("--cafile", help="PEM file of the CA(s) to trust for https:// URLs")
    ap.add_argument("urls", nargs="*")
    a = ap.parse_args()
    urls = list(a.urls)
    if a.url_file:
        with open(a.url_file) as f:
            urls += [line.strip() for line in f if line.strip()]
    if not urls:
        ap.error("no URLs given")
    t0 = time.monotonic()
    results = asyncio.run(main(urls, a.cafile))
    wall = time.monotonic() - t0
    failed = sum(1 for status, _ in results if status != 200)
    total = sum(len(body) for status, body in results if status == 200)
    # All bodies are still referenced here, as in the seed, until the process ends.
    print(json.dumps({"objects": len(results) - failed, "bytes": total, "failed": failed,
                      "wall_seconds": round(wall, 3), "aiohttp": aiohttp.__version__}))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(run())
