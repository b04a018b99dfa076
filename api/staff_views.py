"""Staff pages: issue, list and revoke API tokens (permission api.manage_apitoken)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Prefetch, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from intake.forms import submitted
from intake.months import current_month

from .forms import ApiTokenForm
from .models import ApiToken
from .tokens import token_issue, token_revoke

MANAGE = "api.manage_apitoken"


@login_required
@permission_required(MANAGE, raise_exception=True)
@require_GET
def token_list(request):
    this_month = current_month()
    tokens = ApiToken.objects.prefetch_related(Prefetch("programmes")).annotate(
        used_this_month=Sum("uses__count", filter=Q(uses__month=this_month), default=0),
        used_in_all=Sum("uses__count", default=0),
    )
    today = timezone.localdate()
    for token in tokens:
        token.expired = token.expires_on < today
    return render(request, "api/token_list.html", {"tokens": tokens})


@login_required
@permission_required(MANAGE, raise_exception=True)
def token_new(request):
    form = ApiTokenForm(submitted(request))
    if request.method == "POST" and form.is_valid():
        token, text = token_issue(token=form.save(commit=False), programmes=form.cleaned_data["programmes"],
                                  actor=request.user)
        # Shown on this answer only, never stored: the page is not cached (NoStoreMiddleware).
        return render(request, "api/token_issued.html", {"token": token, "text": text})
    return render(request, "api/token_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@permission_required(MANAGE, raise_exception=True)
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk)
    if request.method == "POST":
        names = {"partner": token.partner}
        if token_revoke(token=token, actor=request.user):
            messages.success(request, _("The token of %(partner)s is revoked: it no longer works.") % names)
        else:  # by someone else, maybe at the same moment
            messages.info(request, _("The token of %(partner)s was already revoked; nothing was changed.") % names)
        return redirect("api_token_list")
    return render(request, "api/token_revoke.html", {"token": token})
