#!/usr/bin/env python3
"""Subscribes to an HPFeeds channel with the `hpfeeds` package's client and appends every
message to a file, one per line: the subscriber of the HPFeeds live test and benchmark.

    Scripts/hpfeeds-subscribe.py HOST PORT IDENT SECRET CHANNEL OUTFILE [SECONDS]

It publishes probe messages on the channel until one comes back, then prints "ready" (the
broker has registered the subscription), so a test knows from when on nothing is missed.
Probes are not written to OUTFILE. It exits after SECONDS (default 300) or on SIGTERM.
"""
import asyncio
import signal
import sys

from hpfeeds.asyncio import ClientSession

PROBE = b"scriptgen-subscriber-probe"


async def main():
    host, port, ident, secret, channel, path = sys.argv[1:7]
    limit = float(sys.argv[7]) if len(sys.argv) > 7 else 300.0
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.call_later(limit, stop.set)
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

        tasks = [asyncio.ensure_future(probe()), asyncio.ensure_future(receive())]
        await stop.wait()
        for task in tasks:
            task.cancel()


if __name__ == "__main__":
    asyncio.run(main())
