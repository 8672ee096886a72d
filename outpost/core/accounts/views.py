"""Account pages: own password, users and lockouts of the administrator's subtree."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from outpost.core.accounts import selectors, services
from outpost.core.accounts.forms import AccountCreateForm, AccountForm, NotifyPasswordResetForm
from outpost.core.viewmixins import HtmxTemplateMixin, form_add_service_errors


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


class UserListView(LoginRequiredMixin, PermissionRequiredMixin, HtmxTemplateMixin, ListView):
    """Logins of the administrator's subtree."""

    permission_required = "core.view_staffprofile"
    template_name = "core/accounts/user_list.html"
    partial_template_name = "core/accounts/partials/user_rows.html"
    context_object_name = "accounts"
    paginate_by = 100

    def get_queryset(self):
        return selectors.user_list(user=self.request.user, query=self.request.GET.get("q", ""))


def _form_kwargs(cleaned: dict) -> dict:
    return {
        "display_name": cleaned["display_name"],
        "unit": cleaned["unit"],
        "roles": cleaned["roles"],
        "phone": cleaned.get("phone", ""),
        "email": cleaned.get("email", ""),
    }


def _password_page(request, account, password, *, created: bool):
    return render(
        request,
        "core/accounts/password_shown.html",
        {"account": account, "password": password, "created": created},
    )


class UserCreateView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "core.add_staffprofile"
    template_name = "core/accounts/user_form.html"
    form_class = AccountCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            account, password = services.user_create(
                acting_user=self.request.user,
                username=form.cleaned_data["username"],
                ip_address=_ip(self.request),
                **_form_kwargs(form.cleaned_data),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        return _password_page(self.request, account, password, created=True)


class UserUpdateView(LoginRequiredMixin, FormView):
    template_name = "core/accounts/user_form.html"
    form_class = AccountForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.account = selectors.get_manageable_user(
            user=request.user, pk=kwargs["pk"], action="change"
        )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        profile = self.account.staff_profile
        return {
            "display_name": profile.display_name,
            "unit": profile.unit,
            "roles": [r.value for r in profile.roles],
            "phone": profile.phone,
            "email": self.account.email,
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account}

    def form_valid(self, form):
        try:
            services.user_update(
                acting_user=self.request.user,
                user=self.account,
                ip_address=_ip(self.request),
                **_form_kwargs(form.cleaned_data),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Account saved."))
        return redirect("core:user_detail", pk=self.account.pk)


class UserDetailView(LoginRequiredMixin, TemplateView):
    template_name = "core/accounts/user_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        account = selectors.get_manageable_user(user=user, pk=kwargs["pk"])
        lockouts = [
            row for row in selectors.lockout_list(user=user) if row["account"].pk == account.pk
        ]
        return {
            **super().get_context_data(**kwargs),
            "account": account,
            "roles": account.staff_profile.roles,
            "events": selectors.account_events(user=user, account=account),
            "lockouts": lockouts,
            "may_change": user.has_perm("core.change_staffprofile"),
            "is_self": account.pk == user.pk,
        }


class UserActionView(LoginRequiredMixin, View):
    """POST: reset the password, deactivate, reactivate or unlock one login."""

    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        account = selectors.get_manageable_user(user=request.user, pk=pk, action="change")
        ip = _ip(request)
        try:
            if self.action == "reset_password":
                password = services.user_password_reset(
                    acting_user=request.user, user=account, ip_address=ip
                )
                return _password_page(request, account, password, created=False)
            if self.action == "deactivate":
                services.user_deactivate(acting_user=request.user, user=account, ip_address=ip)
                messages.success(request, _("Account deactivated."))
            elif self.action == "reactivate":
                services.user_reactivate(acting_user=request.user, user=account, ip_address=ip)
                messages.success(request, _("Account reactivated."))
            elif self.action == "unlock":
                services.lockout_clear(acting_user=request.user, user=account, ip_address=ip)
                messages.success(request, _("Lockout cleared."))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except PermissionDenied as exc:
            raise Http404 from exc
        next_url = request.POST.get("next", "")
        if next_url == reverse("core:lockout_list"):
            return redirect(next_url)
        return redirect("core:user_detail", pk=account.pk)


class LockoutListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Locked (login, address) pairs of the administrator's subtree, to clear."""

    permission_required = "core.change_staffprofile"
    template_name = "core/accounts/lockout_list.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "lockouts": selectors.lockout_list(user=self.request.user),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        }


class OutpostLoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["email_reset"] = selectors.email_reset_available()
        return context


class OwnPasswordChangeView(auth_views.PasswordChangeView):
    """Any logged-in user changes their own password (old one first)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        services.own_password_set(
            user=self.request.user,
            password=form.cleaned_data["new_password1"],
            ip_address=_ip(self.request),
        )
        update_session_auth_hash(self.request, self.request.user)
        messages.success(self.request, _("Your password has been changed."))
        return HttpResponseRedirect(self.get_success_url())


class EmailResetAvailableMixin:
    """Reset by email exists only where email really leaves the machine (SMTP)."""

    def dispatch(self, request, *args, **kwargs):
        if not selectors.email_reset_available():
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class EmailPasswordResetView(EmailResetAvailableMixin, auth_views.PasswordResetView):
    form_class = NotifyPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class EmailPasswordResetDoneView(EmailResetAvailableMixin, auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class EmailPasswordResetConfirmView(EmailResetAvailableMixin, auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        services.own_password_set(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            by_email=True,
            ip_address=_ip(self.request),
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your password has been set. You can log in now."))
        return HttpResponseRedirect(self.get_success_url())
