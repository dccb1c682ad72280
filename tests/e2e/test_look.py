"""The look of a public service (issue 20, point 8): a refused form opens with an error summary
that says what went wrong and links to each field in the order of the page; the primary action
is the green button, and keyboard focus is the one yellow style (GOV.UK Design System patterns)."""

from playwright.sync_api import expect

GREEN, YELLOW = "rgb(0, 112, 60)", "rgb(255, 221, 0)"


def send_empty(page, live_server, path: str) -> None:
    page.goto(f"{live_server}{path}")
    page.evaluate("document.querySelector('main form').noValidate = true")  # the server's checks
    page.locator("main form button[type=submit]").last.click()


def test_a_refused_form_opens_with_a_summary_linking_each_field_in_page_order(
    page, live_server, shot
):
    send_empty(page, live_server, "/register")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading", name="Ada masalah")).to_be_visible()
    links = summary.get_by_role("link")
    # the form class lists the e-mail first (a mixin's field); the page shows the name first
    page_order = page.locator(".field.has-error :is(input, select)").evaluate_all(
        "(fields) => fields.map((f) => '#' + f.id)"
    )
    summary_order = links.evaluate_all("(links) => links.map((a) => a.hash)")
    assert summary_order == page_order
    assert len(summary_order) == 7
    expect(links.first).to_have_text("Nama lengkap (sesuai KTP): Isian ini wajib diisi.")
    links.first.click()
    expect(page.locator("#full_name")).to_be_focused()
    shot("error-summary")


def test_the_summary_in_english_and_one_look_for_actions_and_focus(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_role("button", name="English").click()
    send_empty(page, live_server, "/register")
    expect(page.locator(".error-summary h2")).to_have_text("There is a problem")
    primary = page.get_by_role("button", name="Create account")
    assert primary.evaluate("(b) => getComputedStyle(b).backgroundColor") == GREEN
    page.keyboard.press("Tab")  # from the summary to its first link: a yellow focus
    first = page.locator(".error-summary a").first
    expect(first).to_be_focused()
    assert first.evaluate("(a) => getComputedStyle(a).backgroundColor") == YELLOW
    page.locator("#full_name").focus()  # a field: a yellow ring
    field = page.locator("#full_name").evaluate("(f) => getComputedStyle(f).outlineColor")
    assert field == YELLOW
