"""The appraisal in the Wagtail admin: overseers find their campaigns and download summaries."""

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from evaluation.models import AppraisalCampaign
from evaluation.rules import overseen_branches


def admin_campaigns(request):
    campaigns = AppraisalCampaign.objects.filter(branch__in=overseen_branches(request.user)).select_related("branch")
    return render(request, "evaluation/admin/campaigns.html", {"campaigns": campaigns})


@hooks.register("register_admin_urls")
def register_urls():
    return [path("appraisals/", admin_campaigns, name="evaluation_admin_campaigns")]


class AppraisalMenuItem(MenuItem):
    def is_shown(self, request):
        return overseen_branches(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return AppraisalMenuItem(
        _("Democratic appraisal"), reverse("evaluation_admin_campaigns"), icon_name="tasks", order=260
    )
