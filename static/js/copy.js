// Copy buttons: <button data-copy="input-id"> copies that input's text and says so in
// #copy-status. The Clipboard API needs a secure page; elsewhere the text is selected and
// copied the older way, and if that fails too it stays selected for the user to copy.
(function () {
  "use strict";
  function say(text) {
    var status = document.getElementById("copy-status");
    if (status) { status.textContent = text; }
  }
  function fallback(input) {
    input.focus();
    input.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    say(done ? "Copied." : "Selected: press Ctrl+C (or ⌘C) to copy.");
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-copy"));
      if (!input) { return; }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { say("Copied."); },
          function () { fallback(input); }
        );
      } else {
        fallback(input);
      }
    });
  });
}());
