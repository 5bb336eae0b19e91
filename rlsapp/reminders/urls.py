from django.urls import include, path

from . import views

reminder_urls = [
    path("", views.reminders_page, name="reminders"),
    path("<int:pk>/snooze/", views.reminder_snooze, name="reminder_snooze"),
    path("<int:pk>/dismiss/", views.reminder_dismiss, name="reminder_dismiss"),
    path("<int:pk>/recheck.ics", views.reminder_ics, name="reminder_ics"),
]
calendar_urls = [
    path("new/", views.calendar_regenerate, name="calendar_regenerate"),
    path("stop/", views.calendar_stop, name="calendar_stop"),
    path("<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
]
urlpatterns = [
    path("reminders/", include(reminder_urls)),
    path("calendar/", include(calendar_urls)),
]
