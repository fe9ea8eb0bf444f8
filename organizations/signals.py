from allauth.account.signals import email_confirmed

from django.db.models.signals import post_save
from django.dispatch import receiver

from organizations import roles
from organizations.models import Organization, RosterEntry


@receiver(email_confirmed)
def link_roster_on_confirmation(request, email_address, **kwargs) -> None:
    """A confirmed email links its user to the roster entry that names it."""
    RosterEntry.objects.filter(email__iexact=email_address.email, user__isnull=True).update(user=email_address.user)


@receiver(post_save, sender=Organization)
def keep_page_permissions_on_section(sender, instance: Organization, update_fields=None, **kwargs) -> None:
    if update_fields is None or "page" in update_fields:
        roles.sync_page_permissions(instance)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    roles.sync_all()
