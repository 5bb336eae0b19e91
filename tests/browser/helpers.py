"""What the browser tests share: signing in, opening a page at a width, measuring it."""

from django.test import Client

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def sign_in_with_cookie(context, live_server, user):
    """Reuse a Django session instead of typing the password in every test."""
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def open_as(page, context, live_server, user, path, width, height=900):
    """`path` in a `width` px wide window, signed in as `user`."""
    sign_in_with_cookie(context, live_server, user)
    page.set_viewport_size({"width": width, "height": height})
    page.goto(live_server.url + path)


def page_width(page):
    """The page's width with its stylesheets: after a form's redirect an element can be on
    the page before them, and measured then a table is as wide as its unstyled text."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth")


def overflow_when_printed(page):
    """How far the page runs past its width as printed on A4 or Letter inside 12 mm
    margins: print styles at about 700 CSS px, after Chart.js redraws on the next frame."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 700, "height": 1000})
    page.wait_for_timeout(300)
    return page.evaluate(OVERFLOW)
