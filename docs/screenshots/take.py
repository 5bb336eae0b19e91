"""The README's screenshots, taken from the demo account of a running `make run`.

    make run                                   # in one terminal: seeds the demo, serves :8000
    .venv/bin/python docs/screenshots/take.py  # in another: writes the two PNGs here

Playwright drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) at 1280 px, with
the CDN files answered from node_modules as the browser tests do (`npm ci` first), so
nothing is fetched. pngquant and optipng, when installed (apt-get install pngquant
optipng), shrink the pictures to about a third. Open them and look before committing.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from bench.browser import CHROMIUM_ARGS, route_cdn  # noqa: E402

# rlsapp/tracking/demo.py's account (importing it would need Django set up).
DEMO_EMAIL, DEMO_PASSWORD = "demo@example.com", "restless-legs-demo"
BASE = os.environ.get("RLSAPP_URL", "http://127.0.0.1:8000").rstrip("/")
CDN = "https://cdn.jsdelivr.net/npm"
WIDTH = 1280


def shrink(path):
    if shutil.which("pngquant"):
        subprocess.run(
            ["pngquant", "--quality", "85-98", "--speed", "1", "--strip", "--force"]
            + ["--output", str(path), str(path)],
            check=True,
        )
    if shutil.which("optipng"):
        subprocess.run(["optipng", "-quiet", "-o5", str(path)], check=True)


def main():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=CHROMIUM_ARGS
        )
        # Reduced motion: the charts draw without animation, so the picture is final.
        context = browser.new_context(
            viewport={"width": WIDTH, "height": 560}, reduced_motion="reduce"
        )
        context.route(CDN + "/**", route_cdn)
        page = context.new_page()
        page.goto(BASE + "/accounts/login/")
        page.fill("input[name=username]", DEMO_EMAIL)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_load_state("load")

        # The worklist: three people fit with its footer in 560 px.
        page.goto(BASE + "/worklist/")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(HERE / "worklist.png"))

        # Alex's page down to the history chart's words, above "After each infusion".
        page.set_viewport_size({"width": WIDTH, "height": 900})
        page.click("text=Alex (demo)")
        page.wait_for_load_state("networkidle")
        cut = page.evaluate(
            """() => {
                const h = [...document.querySelectorAll('h2, h3')]
                    .find(e => e.textContent.trim() === 'After each infusion');
                return Math.ceil(h.getBoundingClientRect().top + window.scrollY) - 12;
            }"""
        )
        page.screenshot(
            path=str(HERE / "person-page.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": WIDTH, "height": cut},
        )
        browser.close()
    for name in ("worklist.png", "person-page.png"):
        shrink(HERE / name)
        print(HERE / name, (HERE / name).stat().st_size, "bytes")


if __name__ == "__main__":
    main()
