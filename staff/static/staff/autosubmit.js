// A <select data-autosubmit> submits its form when changed (the admin's language switch).
// A file, not an onchange="" attribute: the Content-Security-Policy refuses inline handlers.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) { event.target.form.submit(); }
});
