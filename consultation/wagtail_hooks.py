from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from consultation.models import Keyword


@hooks.register("register_log_actions")
def register_consultation_log_actions(actions):
    actions.register_action("consultation.post.hold", _("Hold post for review"), _("Post held for review"))
    actions.register_action("consultation.post.hide", _("Hide post"), _("Post hidden by a moderator"))
    actions.register_action("consultation.post.restore", _("Restore post"), _("Post restored by a moderator"))
    actions.register_action("consultation.post.approve", _("Approve post"), _("Held post approved"))
    actions.register_action("consultation.post.pin", _("Pin post"), _("Post pinned"))
    actions.register_action("consultation.post.unpin", _("Unpin post"), _("Post unpinned"))
    actions.register_action("consultation.stage", _("Change stage"), _("Consultation stage changed"))
    actions.register_action("consultation.outcome", _("Publish result"), _("Consultation result published"))
    actions.register_action("consultation.implementation", _("Report progress"), _("Implementation progress reported"))


class KeywordViewSet(SnippetViewSet):
    """The review word list for all organisations (site admins); moderators manage their own on the site."""

    model = Keyword
    icon = "warning"
    menu_label = _("Review keywords")
    list_display = ["word", "organization"]
    search_fields = ["word"]
    # The creation time is set by itself (and has no Chinese label to show in the form).
    panels = [FieldPanel("organization"), FieldPanel("word")]
    add_to_admin_menu = False


register_snippet(KeywordViewSet)
