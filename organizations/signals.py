from allauth.account.signals import email_confirmed

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import cache as page_cache
from organizations import roles
from organizations.models import Grid, Organization, Residence, RosterEntry


@receiver(email_confirmed)
def link_roster_on_confirmation(request, email_address, **kwargs) -> None:
    """A confirmed email links its user to the roster entry that names it."""
    if RosterEntry.objects.filter(email__iexact=email_address.email, user__isnull=True).update(user=email_address.user):
        page_cache.forget_viewer(email_address.user_id)


def forget_viewers_pages(sender, **kwargs) -> None:
    """Rosters, residences, grids and organisations say who may see, take part in and manage what: a change
    forgets every page kept for a signed-in viewer (core/cache.py). Bulk writes call it themselves."""
    page_cache.forget_all_viewers()


for _model in (Organization, Grid, Residence, RosterEntry):
    post_save.connect(forget_viewers_pages, sender=_model, dispatch_uid=f"viewer_pages_saved_{_model.__name__}")
    post_delete.connect(forget_viewers_pages, sender=_model, dispatch_uid=f"viewer_pages_gone_{_model.__name__}")


@receiver(post_save, sender=Organization)
def keep_page_permissions_on_section(sender, instance: Organization, update_fields=None, **kwargs) -> None:
    if update_fields is None or "page" in update_fields:
        roles.sync_page_permissions(instance)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    roles.sync_all()
