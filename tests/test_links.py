"""Every link a page offers a person opens for that person: no page links to what the
reader's role may not see (403/404) and no page fails (500). Walks each role's pages."""

import collections
import re

import pytest

SKIP = ("/static", "/admin", "/accounts/logout", "/api/", "mailto:")


@pytest.mark.parametrize("person", ["chief", "analyst", "fod", "pm", "ocio"])
def test_links_offered_to_each_role_open(client, world, people, person):
    from portal.compliance.sweep import sweep_run

    sweep_run(notify=False)
    client.force_login(people[person])
    seen, queue, per_shape, broken = set(), collections.deque(["/"]), collections.Counter(), []
    while queue and len(seen) < 120:
        url = queue.popleft()
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        if url in seen or per_shape[shape] >= 2:
            continue
        seen.add(url)
        per_shape[shape] += 1
        response = client.get(url)
        if response.status_code >= 400:
            broken.append((url, response.status_code))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="(/[^"#]*)"', response.content.decode()):
            href = href.replace("&amp;", "&")
            if not href.startswith(SKIP) and "export=" not in href:
                queue.append(href)
    assert len(seen) > 5
    assert broken == []
