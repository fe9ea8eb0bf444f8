"""Admin confirmations that say what happened to the person who did it."""

from django.contrib import messages
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _

from wagtail import hooks


@hooks.register("after_edit_page")
def confirm_the_workflow_action(request, page):
    """Approving from the page editor's footer ("批准并发布") confirmed with Wagtail's generic "Page … has
    been updated."; say instead that the page was approved (and published), or that changes were requested."""
    action = request.POST.get("workflow-action-name")
    if not request.POST.get("action-workflow-action") or action not in ("approve", "reject"):
        return None
    title = page.get_admin_display_title()
    # Wagtail writes it as HTML (the title escaped, buttons after it).
    generic = str(conditional_escape(_("Page '%(page_title)s' has been updated.") % {"page_title": title}))
    page.refresh_from_db()
    if action == "reject":
        said = _("Changes to page '%(page_title)s' have been requested.")
    elif page.live and not page.has_unpublished_changes:
        said = _("Page '%(page_title)s' has been approved and published.")
    else:
        said = _("Page '%(page_title)s' has been approved.")
    storage = messages.get_messages(request)
    earlier = list(storage)  # reading them marks them used: every one to keep is added again
    for message in earlier:
        if not str(message.message).startswith(generic):
            messages.add_message(request, message.level, message.message, extra_tags=message.extra_tags)
    messages.success(request, said % {"page_title": title})
    return None
