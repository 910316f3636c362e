from __future__ import annotations

from django.urls import path

from staff.views import auth, detail, duty, intake, messages, queue, two_factor

app_name = "staff"

urlpatterns = [
    path("login/", auth.login, name="login"),
    path("logout/", auth.logout, name="logout"),
    path("password-reset/", auth.password_reset, name="password_reset"),
    path("password-reset/done/", auth.password_reset_done, name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth.password_reset_confirm, name="password_reset_confirm"),
    path("reset/done/", auth.password_reset_complete, name="password_reset_complete"),
    path("two-factor/", two_factor.verify, name="two_factor_verify"),
    path("two-factor/setup/", two_factor.setup, name="two_factor_setup"),
    path("", queue.queue, name="queue"),
    path("bulk/", queue.bulk, name="bulk"),
    path("intake/", intake.intake, name="intake"),
    path("duty/", duty.duty, name="duty"),
    path("requests/<str:tracking_number>/", detail.detail, name="detail"),
    path("requests/<str:tracking_number>/<str:action>/", detail.action, name="action"),
    path(
        "requests/<str:tracking_number>/messages/<int:message_id>/resend/",
        messages.resend,
        name="message_resend",
    ),
]
