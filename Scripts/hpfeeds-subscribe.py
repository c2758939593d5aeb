#!/usr/bin/env python3
"""Subscribes to an HPFeeds channel with the `hpfeeds` package's client and appends every
message to a file, one per line: the subscriber of the HPFeeds live test and benchmark.

    Scripts/hpfeeds-subscribe.py HOST PORT IDENT SECRET CHANNEL OUTFILE [SECONDS]

It publishes probe messages on the channel until one comes back, then prints "ready" (the
broker has registered the subscription), so a test knows from when on nothing is missed.
Probes are not written to OUTFILE (written unbuffered: nothing is lost when it is killed).
It exits after SECONDS (default 300) or when killed.
"""
import asyncio
import os
import sys

from hpfeeds.asyncio import ClientSession

PROBE = b"scriptgen-subscriber-probe"


async def main():
    host, port, ident, secret, channel, path = sys.argv[1:7]
    limit = float(sys.argv[7]) if len(sys.argv) > 7 else 300.0
    # SIGTERM keeps its default action: closing the session could wait for a dead broker.
    asyncio.get_running_loop().call_later(limit, os._exit, 0)
    ready = asyncio.Event()

    async with ClientSession(host, int(port), ident, secret) as client:
        client.subscribe(channel)

        async def probe():
            while not ready.is_set():
                client.publish(channel, PROBE)
                await asyncio.sleep(0.1)

        async def receive():
            with open(path, "ab", buffering=0) as out:
                while True:
                    _, _, payload = await client.read()
                    if bytes(payload) == PROBE:
                        if not ready.is_set():
                            ready.set()
                            print("ready", flush=True)
                        continue
                    out.write(bytes(payload) + b"\n")

        await asyncio.gather(probe(), receive())


if __name__ == "__main__":
    asyncio.run(main())
