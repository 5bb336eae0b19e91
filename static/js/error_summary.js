// A failed form's error summary (tracking/error_summary.html) takes focus, so screen
// readers announce it and a phone shows it; each link moves focus into its field.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) { return; }
  summary.focus();
  summary.querySelectorAll("a[data-focus]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("data-focus"));
      if (!field) { return; }
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  });
}());
