// A cashbox draw checked in the browser (templates/cashbox/draw.html), exactly as
// hamyan/rotation/draws.py draws it, with the browser's own SHA-256 (WebCrypto):
//   SHA-256(seed) must equal the published commitment;
//   candidates = shares not won before the period, ascending; n = how many;
//   counter = 0: x = HMAC-SHA256(key = seed, message = "period:counter") as a 256-bit big-endian number;
//   while x >= 2**256 - (2**256 mod n) the counter goes up (no modulo bias); winner = candidates[x mod n].
(function () {
  "use strict";
  var box = document.getElementById("draw-check");
  if (!box) { return; }
  var button = document.getElementById("verify-button");
  var seedInput = document.getElementById("verify-seed");
  var steps = document.getElementById("browser-steps");
  var result = document.getElementById("browser-result");
  var encoder = new TextEncoder();
  var SPACE = BigInt(1) << BigInt(256);

  // The words come from the page (templates/cashbox/draw.html's #verify-words), in its language.
  var words = document.getElementById("verify-words").content;
  var digits = box.getAttribute("data-digits");

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  function local(value) {
    return String(value).replace(/[0-9]/g, function (d) { return digits[d]; });
  }

  // A step or message of the page's words: its slots filled with `values` (data-local ones in the
  // page's digits), and of its variants (data-if) only those named in `keep`.
  function said(name, values, keep) {
    var node = words.querySelector('[data-words="' + name + '"]').cloneNode(true);
    node.removeAttribute("data-words");
    node.querySelectorAll("[data-fill]").forEach(function (slot) {
      var value = String(values[slot.getAttribute("data-fill")]);
      slot.replaceWith(document.createTextNode(slot.hasAttribute("data-local") ? local(value) : value));
    });
    node.querySelectorAll("[data-if]").forEach(function (part) {
      if ((keep || []).indexOf(part.getAttribute("data-if")) < 0) { part.remove(); } else { part.removeAttribute("data-if"); }
    });
    return node;
  }

  function say(name, values, ok) {
    result.textContent = said(name, values).textContent;
    result.className = "small mt-2 mb-1 fw-semibold " + (ok ? "text-success" : "text-danger");
  }

  async function verify() {
    steps.textContent = "";
    var seed = seedInput.value.trim();
    var published = box.getAttribute("data-commitment");
    var period = box.getAttribute("data-period");
    var candidates = box.getAttribute("data-candidates").split(" ").filter(Boolean).map(Number);
    var recorded = box.getAttribute("data-winner");
    var n = BigInt(candidates.length);

    var computed = hex(await crypto.subtle.digest("SHA-256", encoder.encode(seed)));
    var committed = computed === published;
    steps.appendChild(said("commitment", {seed: seed, computed: computed, commitment: published},
      [committed ? "match" : "mismatch"]));
    steps.appendChild(said("candidates", {count: candidates.length, period: period, candidates: candidates.join(box.getAttribute("data-separator"))}));

    var key = await crypto.subtle.importKey("raw", encoder.encode(seed), {name: "HMAC", hash: "SHA-256"}, false, ["sign"]);
    var limit = SPACE - (SPACE % n);
    var x;
    for (var counter = 0; ; counter++) {
      var message = period + ":" + counter;
      var digest = hex(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
      x = BigInt("0x" + digest);
      var accepted = x < limit;
      steps.appendChild(said("hash", {message: message, digest: digest, value: x.toString(), limit: limit.toString(),
        count: candidates.length}, [accepted ? "used" : "set-aside"]));
      if (accepted) { break; }
    }
    var index = Number(x % n);
    var winner = candidates[index];
    steps.appendChild(said("index", {count: candidates.length, index: index}));
    var same = String(winner) === recorded;
    var step = said("winner", {index: index, winner: winner}, [same ? "same" : "other"]);
    step.querySelector("#server-winner").id = "browser-winner";  // the server step's words, this step's id
    steps.appendChild(step);
    var values = {winner: winner, recorded: recorded};
    if (committed && same) {
      say("verified", values, true);
    } else if (!committed) {
      say(same ? "not-committed" : "not-committed-other", values, false);
    } else {
      say("other", values, false);
    }
  }

  if (!(window.crypto && crypto.subtle)) {
    result.textContent = said("no-crypto", {}).textContent;
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    verify().catch(function (error) {
      say("failed", {error: error.message}, false);
    }).finally(function () { button.disabled = false; });
  });
})();
