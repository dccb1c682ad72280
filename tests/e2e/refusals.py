"""No refusal is silent: every 4xx answer a page's script gets (our JSON error shape,
``{"error": {"code", "message", "fields"}}``) must show its message on the page.

``WATCH`` is an init script that wraps the page's ``fetch``: it counts requests in flight and
keeps each 4xx answer's status, code and message in ``window.__refusals``. ``expect_shown``
waits until nothing is in flight, then expects every refusal kept since ``since`` to be visible
on the page in its own words."""

from __future__ import annotations

from playwright.sync_api import expect

WATCH = """
(() => {
  const seen = { inflight: 0, refused: [] };
  window.__refusals = seen;
  const original = window.fetch.bind(window);
  window.fetch = async (...args) => {
    seen.inflight += 1;
    try {
      const response = await original(...args);
      if (response.status >= 400 && response.status < 500) {
        let body = null;
        try { body = await response.clone().json(); } catch (e) { body = null; }
        const error = (body && body.error) || {};
        seen.refused.push({ url: response.url, status: response.status,
                            code: error.code || null, message: error.message || null });
      }
      return response;
    } finally {
      seen.inflight -= 1;
    }
  };
})();
"""


def refusals(page) -> list[dict]:
    """The 4xx answers the page's scripts got so far, in order."""
    page.wait_for_function("() => window.__refusals && window.__refusals.inflight === 0")
    return page.evaluate("window.__refusals.refused")


def expect_shown(page, since: int = 0) -> int:
    """Expect each refusal since the ``since``-th to show its message on the page (visible);
    returns how many there are now (the next call's ``since``)."""
    found = refusals(page)
    for refusal in found[since:]:
        assert refusal["message"], refusal  # the JSON error shape, with words to show
        shown = page.get_by_text(refusal["message"]).filter(visible=True)
        expect(shown.first, f"refusal not shown: {refusal}").to_be_visible()
    return len(found)
