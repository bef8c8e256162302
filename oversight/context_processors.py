"""The header's link to the findings inbox, with the address of its unread count.

The count is not computed here: every page would run it (a COUNT over the open findings
of the reader's inbox, 60 to 95 ms at national scale for HQ). The header's script
(``static/portal/inbox-count.js``) asks ``oversight:inbox-count`` for it once the page
is shown, so it is read afresh on every page and never stale."""

from portal.roles import role_of


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or role_of(user) is None:
        return {}
    from django.urls import reverse

    return {"inbox_url": reverse("oversight:inbox"), "inbox_count_url": reverse("oversight:inbox-count")}
