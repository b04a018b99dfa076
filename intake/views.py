from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from reports.models import Report

from .access import programmes_for

LATEST_REPORTS = 5


@login_required
def home(request):
    user = request.user
    context = {
        "programmes": programmes_for(user) if user.has_perm("intake.view_helprequest") else None,
        "latest_reports": (
            Report.objects.select_related("programme").order_by("-created_at")[:LATEST_REPORTS]
            if user.has_perm("reports.view_report")
            else []
        ),
    }
    return render(request, "intake/home.html", context)
