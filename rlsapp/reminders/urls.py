from django.urls import path

from . import views

urlpatterns = [
    path("reminders/", views.reminders_page, name="reminders"),
    path("reminders/<int:pk>/snooze/", views.reminder_snooze, name="reminder_snooze"),
    path("reminders/<int:pk>/dismiss/", views.reminder_dismiss, name="reminder_dismiss"),
    path("reminders/<int:pk>/recheck.ics", views.reminder_ics, name="reminder_ics"),
    path("calendar/new/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/stop/", views.calendar_stop, name="calendar_stop"),
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
]
