// htmx leaves the page untouched when a request fails; tell the person instead of failing silently,
// in the page's language: the words are the flashes box's (partials/flashes.html).
(function () {
  function show(say) {
    var box = document.getElementById("flashes");
    if (!box) { return; }
    var text = say(box);
    var alert = document.createElement("div");
    alert.className = "alert alert-danger alert-dismissible fade show";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", box.dataset.close);
    alert.appendChild(close);
    box.appendChild(alert);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var written = status.toLocaleString(document.documentElement.lang, {useGrouping: false});
    show(function (box) {
      return box.getAttribute("data-error-" + status) || box.dataset.error.replace("{status}", written);
    });
  });
  document.addEventListener("htmx:sendError", function () {
    show(function (box) { return box.dataset.unreachable; });
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
    var done = function () { button.textContent = button.dataset.copied; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();

// A form that answers as it is typed in (the loan calculator) is replaced by its own answer. An answer
// to values the person has since changed would wipe what they typed after it was sent; drop it, as
// the newer values' own request is on its way. Only for GETs: the answer to a write is always shown.
(function () {
  function values(form) { return new URLSearchParams(new FormData(form)).toString(); }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form.tagName === "FORM") { form.dataset.sent = values(form); }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    var form = config && config.elt;
    if (!form || form.tagName !== "FORM" || config.verb !== "get" || !event.detail.target.contains(form)) { return; }
    if (form.dataset.sent !== values(form)) { event.detail.shouldSwap = false; }
  });
})();
