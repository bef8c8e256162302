"""The header's unread count of the findings inbox."""

from portal.roles import role_of


def inbox(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or role_of(user) is None:
        return {}
    from django.urls import reverse

    from .inbox import unread_count

    return {"inbox_unread": unread_count(user), "inbox_url": reverse("oversight:inbox")}
