"""Time the history chart of a patient page in Chromium (Playwright), in its own process.

    python -m bench.browser BASE_URL PATH COOKIE [--loads 6]

The CDN files are answered from node_modules, as in the browser tests, so only
our server is on the network. An init script wraps window.Chart to put
performance marks around each chart's construction and its first frame on screen.
Prints one JSON line with the median over the warm loads (the first load is cold).
"""

import argparse
import json
import os
import re
import statistics
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# Headless Chromium in a container: no sandbox, no GPU, and none of the browser's own
# network traffic beside our server's. The browser tests launch it the same way.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CDN = re.compile(r"^/npm/(?P<package>(@[^/]+/)?[^@/]+)@[^/]+/(?P<path>.+)$")

TIMING = """
(() => {
  const timings = [];
  window.__benchCharts = timings;
  let Real;
  Object.defineProperty(window, "Chart", {
    configurable: true,
    get() { return Real; },
    set(value) {
      if (typeof value !== "function" || value.__benchTimed) { Real = value; return; }
      class Timed extends value {
        constructor(item, config) {
          const id = (item && (item.id || (item.canvas && item.canvas.id))) || "chart";
          const entry = { id: id };
          const animation = config && config.options && config.options.animation;
          if (animation && typeof animation === "object") {
            const done = animation.onComplete;
            animation.onComplete = function (context) {
              if (entry.animated === undefined) entry.animated = performance.now();
              if (done) return done.apply(this, arguments);
            };
          }
          performance.mark("chart-start:" + id);
          entry.start = performance.now();
          super(item, config);
          entry.built = performance.now();
          performance.mark("chart-built:" + id);
          requestAnimationFrame(() => {
            entry.painted = performance.now();
            performance.mark("chart-painted:" + id);
          });
          timings.push(entry);
        }
      }
      Timed.__benchTimed = true;
      Real = Timed;
    },
  });
})();
"""


def route_cdn(route):
    match = CDN.match(urlsplit(route.request.url).path)
    if not match:
        return route.abort()
    local = ROOT / "node_modules" / match["package"] / match["path"]
    if not local.is_file():
        return route.abort()
    kind = "text/css" if local.suffix == ".css" else "application/javascript"
    return route.fulfill(path=str(local), content_type=kind)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("path")
    parser.add_argument("cookie", help="name=value of the session cookie")
    parser.add_argument("--loads", type=int, default=6)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    name, value = args.cookie.split("=", 1)
    runs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": name, "value": value, "url": args.base}])
        context.route("https://cdn.jsdelivr.net/**", route_cdn)
        context.add_init_script(TIMING)
        page = context.new_page()
        for _ in range(args.loads):
            page.goto(args.base + args.path)
            page.wait_for_selector(
                "[data-chart-state]:not([data-chart-state=loading])", timeout=60_000
            )
            state = page.get_attribute("[data-chart-state]", "data-chart-state")
            if state != "drawn":
                raise RuntimeError(f"the charts did not draw (state {state!r})")
            page.wait_for_function(
                "() => (window.__benchCharts || [])"
                ".some(c => c.id === 'history-chart' && c.painted)"
            )
            page.wait_for_timeout(600)  # let any animation finish, for the 'animated' time
            runs.append(
                page.evaluate(
                    """() => {
                      const c = window.__benchCharts.find(c => c.id === 'history-chart');
                      const json = performance.getEntriesByType('resource')
                        .find(r => r.name.includes('charts.json'));
                      const canvas = document.getElementById('history-chart');
                      const pixels = canvas.getContext('2d')
                        .getImageData(0, 0, canvas.width, canvas.height).data;
                      let inked = 0;
                      for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) inked++;
                      return {
                        build_ms: c.built - c.start,
                        first_frame_ms: c.painted - c.start,
                        animated_ms: c.animated === undefined ? null : c.animated - c.start,
                        json_ms: json ? json.responseEnd - json.startTime : null,
                        json_to_frame_ms: json ? c.painted - json.responseEnd : null,
                        page_to_frame_ms: c.painted,
                        inked_pixels: inked,
                        charts: window.__benchCharts.length,
                      };
                    }"""
                )
            )
        browser.close()
    warm = runs[1:] or runs
    summary = {
        key: statistics.median(r[key] for r in warm) if warm[0][key] is not None else None
        for key in warm[0]
    }
    summary["loads"] = len(warm)
    print("BENCH " + json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
