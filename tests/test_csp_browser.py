"""The Content-Security-Policy holds in a real browser: headless Chromium, with the
policy enforced, opens every kind of page each role reaches (walked as in
tests/test_links.py, one page of each URL shape) plus the sign-in, two-factor, lockout
and API documentation pages, and fails on any CSP violation: a blocked inline script or
style, an inline handler, a resource from elsewhere."""

import collections
import re

import pytest
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SKIP = ("/static", "/admin", "/accounts/logout", "/api/", "mailto:", "/oidc/")
EXTRA = ["/accounts/two-factor/", "/api/docs/"]
REPORT_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


def pages_of(user) -> list[str]:
    """One URL of each shape the person's pages link to (the walk of test_links.py)."""
    client = Client()
    client.force_login(user)
    seen, queue, shapes, urls = set(), collections.deque(["/"]), set(), []
    while queue and len(seen) < 150:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if shape not in shapes:
            shapes.add(shape)
            urls.append(url)
        for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
            href = href.replace("&amp;", "&")
            if not href.startswith(SKIP) and "export=" not in href and "?" not in href:
                queue.append(href)
    return urls


@pytest.mark.parametrize("person", ["chief", "analyst", "fod", "pm", "ocio"])
def test_no_page_of_a_role_violates_the_content_security_policy(browser, live_server, world, people, person):
    from portal.compliance.sweep import sweep_run

    sweep_run(notify=False)
    urls = pages_of(people[person]) + EXTRA + (["/accounts/lockouts/"] if person == "chief" else [])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(REPORT_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15000)
    console = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        violations = {"/accounts/login/": page.evaluate("window.__csp")}
        from portal.tests.factories import PASSWORD

        page.get_by_label("Username").fill(people[person].username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        headers = {}
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            page.wait_for_load_state("networkidle")  # Swagger UI fetches the schema after load
            headers[url] = response.headers.get("content-security-policy", "")
            found = page.evaluate("window.__csp")
            if found:
                violations[url] = found
        page.goto("about:blank")  # nothing of the live server is still being served
    finally:
        context.close()
    assert len(urls) > 5
    assert all("script-src 'self'" in h and "style-src 'self'" in h for h in headers.values())
    assert {u: v for u, v in violations.items() if v} == {}
    assert console == []
