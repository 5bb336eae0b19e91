// A form marked data-saving says "Saving…" as soon as it is sent, so a tap on a slow phone
// connection is seen to have worked, and a second tap does not send it again. The button is
// not disabled: a disabled submitter would leave its name ("Save and add another") out of the
// sent form.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-saving]");
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
      form.setAttribute("aria-busy", "true");
      var status = form.querySelector(".saving-status");
      if (status) { status.textContent = "Saving…"; }
    });
  });
  // Back to the page from the next one (the browser's page cache): ready to send again.
  window.addEventListener("pageshow", function () {
    forms.forEach(function (form) {
      form.removeAttribute("data-sent");
      form.removeAttribute("aria-busy");
      var status = form.querySelector(".saving-status");
      if (status) { status.textContent = ""; }
    });
  });
}());
