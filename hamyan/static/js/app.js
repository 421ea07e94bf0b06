// htmx leaves the page untouched when a request fails; tell the person instead of failing silently.
(function () {
  var MESSAGES = {
    400: "This page is out of date. Reload it and try again.",
    403: "You cannot do that here.",
    404: "That was not found. It may have been removed.",
    409: "That conflicts with a change made meanwhile. Reload the page and try again.",
  };

  function show(text) {
    var box = document.getElementById("flashes");
    if (!box) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", "Close");
    alert.appendChild(close);
    box.appendChild(alert);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    show(MESSAGES[status] || "Something went wrong on our side (error " + status + "). Please try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    show("The server could not be reached. Check your connection and try again.");
  });
})();

// The confirm step of an irreversible action (hamyan/web/confirm.py) comes into the box layout's
// dialog: open it; its Cancel closes it instead of leaving the page.
(function () {
  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = event.detail.target;
    if (dialog && dialog.id === "confirm-dialog" && !dialog.open) { dialog.showModal(); }
  });
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest("[data-dialog-cancel]");
    var dialog = cancel && cancel.closest("dialog");
    if (dialog) { event.preventDefault(); dialog.close(); }
  });
})();

// A copy button ([data-copy] naming the id of a read-only field) beside a link or a card number to
// share in a messenger. Without JavaScript the button stays hidden and the field is selectable.
(function () {
  function reveal(root) {
    root.querySelectorAll("[data-copy]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSwap", function (event) { reveal(event.detail.target); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    field.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
