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

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
  }

  // A step as a list item: text and <code> parts, in order; a part {strong: text, id, cls} is bold.
  function step(name, parts) {
    var item = document.createElement("li");
    item.setAttribute("data-step", name);
    parts.forEach(function (part) {
      var node;
      if (typeof part === "string") {
        node = document.createTextNode(part);
      } else if (part.code !== undefined) {
        node = document.createElement("code");
        node.textContent = part.code;
      } else {
        node = document.createElement("strong");
        node.textContent = part.strong;
        if (part.id) { node.id = part.id; }
        if (part.cls) { node.className = part.cls; }
      }
      item.appendChild(node);
    });
    steps.appendChild(item);
  }

  function say(text, ok) {
    result.textContent = text;
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
    step("commitment", ["SHA-256 of the seed ", {code: seed}, " is ", {code: computed},
      "; the published commitment is ", {code: published}, ": ",
      {strong: committed ? "they match" : "they do not match", cls: committed ? "text-success" : "text-danger"}, "."]);
    step("candidates", [candidates.length + " share" + (candidates.length === 1 ? "" : "s") +
      " had not won before period " + period + ", in ascending order: " + candidates.join(", ") + "."]);

    var key = await crypto.subtle.importKey("raw", encoder.encode(seed), {name: "HMAC", hash: "SHA-256"}, false, ["sign"]);
    var limit = SPACE - (SPACE % n);
    var x;
    for (var counter = 0; ; counter++) {
      var message = period + ":" + counter;
      var digest = hex(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
      x = BigInt("0x" + digest);
      var accepted = x < limit;
      step("hash", ["HMAC-SHA256 with the seed as key over ", {code: message}, " is ", {code: digest},
        ", the number ", {code: x.toString()}, accepted
          ? ["; below the limit ", {code: limit.toString()}, " (2^256 − (2^256 mod " + candidates.length + ")), so it is used."]
          : ["; not below the limit ", {code: limit.toString()}, ", so it is set aside and the counter goes up."]].flat());
      if (accepted) { break; }
    }
    var index = Number(x % n);
    var winner = candidates[index];
    step("index", ["That number mod " + candidates.length + " is ", {strong: String(index)}, " (counting from 0)."]);
    var same = String(winner) === recorded;
    step("winner", ["Candidate " + index + " is ", {strong: "share " + winner, id: "browser-winner"},
      same ? ": the share recorded as the winner." : ": NOT the share recorded as the winner."]);
    if (committed && same) {
      say("Verified: the seed matches the published commitment and gives share " + winner + ", the recorded winner.", true);
    } else if (!committed) {
      say("Mismatch: this seed is not the one committed to before the draw" +
        (same ? "." : ", and it gives share " + winner + ", not share " + recorded + "."), false);
    } else {
      say("Mismatch: the seed gives share " + winner + ", but share " + recorded + " is recorded as the winner.", false);
    }
  }

  if (!(window.crypto && crypto.subtle)) {
    result.textContent = "This browser cannot compute SHA-256 on this page (it needs a secure, https connection).";
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    verify().catch(function (error) {
      say("The check could not run: " + error.message, false);
    }).finally(function () { button.disabled = false; });
  });
})();
