"""Slow phones (issue 20, point 7): the practice, exam and renewal pages loaded in Chromium on
DevTools' Fast 3G profile with the CPU slowed down 4x, against a plain static page under the
same throttling in the same run.

Fast 3G, as DevTools and Puppeteer define it (puppeteer/puppeteer,
packages/puppeteer-core/src/cdp/PredefinedNetworkConditions.ts): 562.5 ms latency (150 x 3.75),
download 1.6 Mbit/s x 0.9 = 180,000 B/s, upload 750 kbit/s x 0.9 = 84,375 B/s; set through CDP
(``Network.emulateNetworkConditions``) with ``Emulation.setCPUThrottlingRate`` 4.

Per page, the median of ``--runs`` cold loads (a new browser context: empty cache) and one warm
load (the same page again in that context):
- ``transfer_kb``: bytes on the wire, the sum of CDP ``Network.loadingFinished``
  ``encodedDataLength`` over every request of the page (compressed size plus headers) until it
  is interactive and its load event has fired;
- ``interactive_ms``: from the start of the navigation until the page can be used: its
  deferred scripts have run (DOMContentLoaded) and what it waits for is on the screen: on the
  exam page the first question's options, rendered by exam.js from the paper it fetches, and
  enabled; on the practice pages the options (and, on the mock exam, the first question shown by
  practice.js); on the renewal page the start form's button;
- ``load_ms``: the load event.
Targets: exam page <= 150 KB transferred and interactive <= 3 s.

The app runs under gunicorn (2 workers) on a migrated SQLite database with the shipped question
bank published, a candidate in the middle of a proctored SIM A exam and an applicant.

    .venv/bin/python bench/page_bench.py [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
#: DevTools' Fast 3G (see the module docstring)
FAST_3G = {
    "offline": False,
    "latency": 150 * 3.75,
    "downloadThroughput": 1.6 * 1000 * 1000 / 8 * 0.9,
    "uploadThroughput": 750 * 1000 / 8 * 0.9,
    "connectionType": "cellular3g",
}
CPU_SLOWDOWN = 4
TARGETS = {"exam": {"transfer_kb": 150, "interactive_ms": 3000}}
#: the pages measured, each with what it waits for before it is interactive
PAGES = ("practice_quick", "practice_mock", "exam", "renewal")
PHONE = {"width": 390, "height": 844}
PASSWORD = "kunci-rahasia-uji-2026"  # noqa: S105 -- the bench users' (a throwaway database)
BASELINE_HTML = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Halaman statis</title>
</head><body><main><h1>Halaman statis</h1><p>Satu berkas HTML tanpa gaya, skrip atau gambar:
yang tersisa dari waktunya adalah jaringan.</p></main></body></html>
"""
#: records window.__ready: performance.now() once DOMContentLoaded has fired (deferred scripts
#: have run) and the page's ready selector matches an enabled element
READY_SCRIPT = """(() => {
  const selector = %s;
  let loaded = false;
  const mark = () => {
    if (!loaded || window.__ready !== undefined) return;
    const found = document.querySelector(selector);
    if (found && !found.disabled && found.getClientRects().length) {
      window.__ready = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, {subtree: true, childList: true, attributes: true});
  document.addEventListener("DOMContentLoaded", () => { loaded = true; mark(); });
})();"""
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def prepare(workdir: Path) -> dict:
    """A migrated SQLite database with the shipped bank published, a candidate mid-exam
    (proctored, as production's default) and an applicant; their e-mails and the exam's id."""
    os.environ["UJISIM_PASSWORD_HASH_PROFILE"] = "CHEAPEST"  # noqa: S105 -- not a password
    from tests.conftest import add_user
    from ujisim.app import create_app
    from ujisim.core.db import get_session
    from ujisim.exam import attempts, policy
    from ujisim.proctoring import checks
    from ujisim.question_bank.content import load_dir
    from ujisim.question_bank.services import import_contents

    subprocess.run(
        [str(BIN / "flask"), "--app", "ujisim.app", "db", "upgrade"],
        env={**os.environ, **app_env(workdir)},
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
            "INSTANCE_PATH": str(workdir),
            "PASSWORD_HASH_PROFILE": "CHEAPEST",
            # the exam page of questions (bench/clip_fps.py measures the clips)
            "EXAM_CLIPS": 0,
        }
    )
    with app.app_context():
        session = get_session()
        import_contents(session, load_dir()[0])
        born = date(2000, 1, 1)
        candidate = add_user(session, "ujian@example.id", password=PASSWORD, date_of_birth=born)
        add_user(session, "pemohon@example.id", password=PASSWORD, date_of_birth=born)
        attempt = attempts.create_attempt(
            session, candidate, policy.check_eligibility(session, candidate, "A")
        )
        attempts.advance(session, attempt, attempts.AttemptState.STARTED, candidate)
        checks.ensure_case(session, attempt)
        session.commit()
        return {"candidate": candidate.email, "applicant": "pemohon@example.id",
                "attempt": attempt.public_id}  # fmt: skip


def app_env(workdir: Path) -> dict:
    return {
        "UJISIM_INSTANCE_PATH": str(workdir),
        "UJISIM_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "UJISIM_PASSWORD_HASH_PROFILE": "CHEAPEST",
    }


@contextmanager
def static_server(directory: Path):
    """The baseline page from Python's own HTTP server; yields its URL."""
    directory.mkdir(exist_ok=True)
    (directory / "index.html").write_text(BASELINE_HTML)
    handler = partial(QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/index.html"
    finally:
        server.shutdown()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def log_in(context, *, base: str, email: str) -> None:
    """Log the context in over HTTP (not throttled: only the page's own loads are)."""
    http = context.request
    token = CSRF.search(http.get(f"{base}/login").text()).group(1)
    form = {"email": email, "password": PASSWORD, "csrf_token": token}
    assert http.post(f"{base}/login", form=form, max_redirects=0).status == 302


def load(page, url: str, ready: str) -> dict:
    """One throttled load of ``url``: bytes on the wire, interactive and load times."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", FAST_3G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    sizes: dict[str, int] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]),
    )
    page.add_init_script(READY_SCRIPT % json.dumps(ready))
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_function("() => window.__ready !== undefined", timeout=120_000)
    timing = page.evaluate(
        """() => ({ready: window.__ready,
                   load: performance.getEntriesByType("navigation")[0].loadEventEnd})"""
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    cdp.detach()
    return {
        "transfer_kb": round(sum(sizes.values()) / 1024, 1),
        "requests": len(sizes),
        "interactive_ms": round(timing["ready"]),
        "load_ms": round(timing["load"]),
    }


def measure(browser, url: str, ready: str, setup, runs: int) -> dict:
    """``runs`` cold loads (a new context each, ``setup(context)`` first: a login, a mock
    paper) and, in the last context, a warm one; the medians of the cold loads."""
    cold, warm = [], None
    for run in range(runs):
        context = browser.new_context(viewport=PHONE, locale="id-ID", is_mobile=True)
        setup(context)
        page = context.new_page()
        cold.append(load(page, url, ready))
        if run == runs - 1:  # the page again, as a reload would: from the cache
            page.close()
            warm = load(context.new_page(), url, ready)
        context.close()
    result = {
        key: statistics.median(r[key] for r in cold)
        for key in ("transfer_kb", "requests", "interactive_ms", "load_ms")
    }
    result["interactive_ms_runs"] = [r["interactive_ms"] for r in cold]
    result["warm"] = warm
    return result


def nobody(context) -> None:
    """A visitor who is not logged in."""


def start_mock(context, *, base: str) -> None:
    """Start a SIM A mock exam in the context (not throttled): its paper is the page."""
    http = context.request
    token = CSRF.search(http.get(f"{base}/latihan/A/simulasi").text()).group(1)
    http.post(f"{base}/latihan/simulasi/mulai", form={"kelas": "A", "csrf_token": token})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--pages", default=",".join(PAGES), help=f"some of {', '.join(PAGES)} (default: all)"
    )
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.support import gunicorn

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        people = prepare(workdir)
        results = {}
        with (
            gunicorn(app_env(workdir)) as (_process, base),
            static_server(workdir / "static") as baseline_url,
            sync_playwright() as playwright,
        ):
            candidate = partial(log_in, base=base, email=people["candidate"])
            applicant = partial(log_in, base=base, email=people["applicant"])
            pages = {  # path, what shows the page is ready, what the context needs first
                "practice_quick": ("/latihan/A/cepat?topik=rambu", "label.choice", nobody),
                "practice_mock": (
                    "/latihan/simulasi/kerjakan",
                    ".mock-q.current label",
                    partial(start_mock, base=base),
                ),
                "exam": (f"/ujian/{people['attempt']}", "#q-options .option", candidate),
                "renewal": ("/perpanjangan/", "form[action$='/mulai'] button", applicant),
            }
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            results["baseline_static_page"] = measure(
                browser, baseline_url, "h1", nobody, args.runs
            )
            for name in args.pages.split(","):
                path, ready, setup = pages[name]
                results[name] = measure(browser, base + path, ready, setup, args.runs)
            browser.close()
    base_ms = results["baseline_static_page"]["interactive_ms"]
    for found in results.values():
        found["interactive_vs_baseline"] = round(found["interactive_ms"] / base_ms, 2)
    targets = {
        f"{page}_{key}": [results[page][key], limit]
        for page, limits in TARGETS.items()
        if page in results
        for key, limit in limits.items()
    }
    print(
        json.dumps(
            {
                "profile": {"network": FAST_3G, "cpu_slowdown": CPU_SLOWDOWN, "viewport": PHONE},
                "runs": args.runs,
                "pages": results,
                "targets": {
                    k: {"measured": m, "target": t, "met": m <= t} for k, (m, t) in targets.items()
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
