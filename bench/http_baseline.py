"""HTTP baseline: the app under gunicorn (2 workers), /healthz driven from a second process.

Prints JSON with requests/s and p50/p95/p99 latency for /healthz (database round trip and
migration check) and, as a same-run reference, for a static file. Later benchmarks divide their
throughput by ``healthz.requests_per_s`` from a run on the same machine.

Uses wrk (Debian package) when installed, else a small asyncio keep-alive client.

    .venv/bin/python bench/http_baseline.py [--seconds 10] [--connections 16] [--client asyncio]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %f %d %d %d %d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status + summary.errors.connect
    + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


@contextmanager
def start_app(workdir: Path):
    """A migrated SQLite database under gunicorn (2 workers); yields the base URL."""
    from tests.support import gunicorn

    env = {
        "UJISIM_INSTANCE_PATH": str(workdir),
        "UJISIM_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
    }
    flask = [str(BIN / "flask"), "--app", "ujisim.app"]
    subprocess.run(
        [*flask, "db", "upgrade"],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with gunicorn(env) as (_process, base):
        yield base


def run_wrk(url: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    count, duration, p50, p95, p99, errors = re.search(r"RESULT (.+)", out).group(1).split()
    return {
        "requests": int(count),
        "requests_per_s": round(int(count) / float(duration), 1),
        "p50_ms": int(p50) / 1000,
        "p95_ms": int(p95) / 1000,
        "p99_ms": int(p99) / 1000,
        "errors": int(errors),
    }


async def _client(host: str, port: int, path: str, stop: float, latencies: list, errors: list):
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    while time.perf_counter() < stop:
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"Content-Length: (\d+)", head, re.I).group(1))
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        if not head.startswith(b"HTTP/1.1 200"):
            errors.append(head[:20])
        if b"Connection: close" in head:
            writer.close()
            reader, writer = await asyncio.open_connection(host, port)
    writer.close()


def run_asyncio(url: str, seconds: int, connections: int) -> dict:
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    host, port, path = match.group(1), int(match.group(2)), match.group(3)
    latencies: list[float] = []
    errors: list = []
    started = time.perf_counter()
    stop = started + seconds

    async def main():
        await asyncio.gather(
            *(_client(host, port, path, stop, latencies, errors) for _ in range(connections))
        )

    asyncio.run(main())
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 3),
        "p95_ms": round(cuts[94] * 1000, 3),
        "p99_ms": round(cuts[98] * 1000, 3),
        "errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--client", choices=["wrk", "asyncio"], default=None)
    args = parser.parse_args()
    tool = args.client or ("wrk" if shutil.which("wrk") else "asyncio")
    drive = run_wrk if tool == "wrk" else run_asyncio
    with tempfile.TemporaryDirectory() as tmp:
        with start_app(Path(tmp)) as base:
            drive(f"{base}/healthz", 2, args.connections)  # warm-up
            healthz = drive(f"{base}/healthz", args.seconds, args.connections)
            static = drive(f"{base}/static/favicon.svg", args.seconds, args.connections)
    result = {
        "benchmark": "http_baseline",
        "server": "gunicorn, 2 sync workers, SQLite",
        "client": tool,
        "connections": args.connections,
        "seconds": args.seconds,
        "cpu_count": os.cpu_count(),
        "healthz": healthz,
        "static_file": static,
        "healthz_to_static_ratio": round(healthz["requests_per_s"] / static["requests_per_s"], 3),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
