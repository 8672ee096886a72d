from django import template

register = template.Library()


@register.filter
def staff_name(user, empty: str = "—") -> str:
    """A staff user's display name (the login name without a profile), or `empty`."""
    if user is None:
        return empty
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else user.get_username()
