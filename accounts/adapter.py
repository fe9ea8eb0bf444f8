from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Gongzhi's allauth customisation."""

    def populate_username(self, request, user) -> None:
        # Sign-in is by email; Wagtail's admin still shows a username, so mirror it.
        user.username = user.email
