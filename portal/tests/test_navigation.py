from portal.navigation import menu_for


def labels(menu):
    return [(e["label"], [c["label"] for c in e.get("children", [])]) for e in menu]


def test_menu_follows_role_and_groups_related_pages(people):
    chief = labels(menu_for(people["chief"], "/"))
    assert ("Agreements", ["Agreements", "ICE list imports", "Onboarding queue", "Program timeline"]) in chief
    assert ("Staffing", ["Manager load", "Staffing plan"]) in chief
    pm = labels(menu_for(people["pm"], "/"))
    assert ("Agreements", []) in pm  # a group of one is a plain link
    assert not any("ICE list imports" in children for _, children in pm)
    assert menu_for(people["norole"], "/") == []


def test_only_the_longest_matching_entry_is_current(people):
    menu = menu_for(people["chief"], "/agreements/ice-imports/")
    current = [c["label"] for e in menu for c in (e.get("children") or [e]) if c["current"]]
    assert current == ["ICE list imports"]
    assert [e["label"] for e in menu if e["current"]] == ["Agreements"]
