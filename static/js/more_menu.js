// The person page's "More…" menu is a <details>: it opens without script. This closes it
// as a menu closes, on Escape (focus back on its button) or a click elsewhere.
(function () {
  "use strict";
  document.querySelectorAll("details.more-actions").forEach(function (menu) {
    var summary = menu.querySelector("summary");
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        summary.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  });
}());
