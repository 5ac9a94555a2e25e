// Forms with data-confirm ask before they are sent (submit, withdraw); without JavaScript they
// are sent at once, and the server checks everything anyway.
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
