// Shows, as the person types, which password rules the new password meets. The server checks
// again (and checks the history, which only it can); this only saves a round trip. Its words
// come from the page (data-met, data-not-met, data-mismatch), in the page's language.
(function () {
  "use strict";
  var input = document.getElementById("password");
  var confirm = document.getElementById("password_confirm");
  var list = document.getElementById("password-rules");
  if (!input || !list) { return; }
  var minLength = parseInt(input.dataset.minLength || "8", 10);
  var requiredClasses = parseInt(input.dataset.requiredClasses || "0", 10);
  var forbidden = input.dataset.forbidden || "";
  var names = (input.dataset.names || "").split("|").filter(function (n) { return n.length >= 3; });

  function classes(value) {
    var found = { upper: false, lower: false, digit: false, other: false };
    Array.from(value).forEach(function (c) {
      if (c !== c.toLowerCase() && c === c.toUpperCase()) { found.upper = true; }
      else if (c !== c.toUpperCase()) { found.lower = true; }
      else if (/\p{N}/u.test(c)) { found.digit = true; }
      else { found.other = true; }
    });
    return Object.keys(found).filter(function (k) { return found[k]; }).length;
  }

  var checks = {
    too_short: function (v) { return Array.from(v).length >= minLength; },
    too_few_character_classes: function (v) { return classes(v) >= requiredClasses; },
    forbidden_characters: function (v) { return !Array.from(forbidden).some(function (c) { return v.indexOf(c) >= 0; }); },
    contains_names: function (v) {
      var lowered = v.toLowerCase();
      return !names.some(function (n) { return lowered.indexOf(n) >= 0; });
    }
  };

  function update() {
    var value = input.value;
    list.querySelectorAll("li[data-rule]").forEach(function (item) {
      var check = checks[item.dataset.rule];
      if (!check) { return; }
      var met = value.length > 0 && check(value);
      item.classList.toggle("met", met);
      item.classList.toggle("broken", value.length > 0 && !met);
      var state = item.querySelector(".state");
      if (state) { state.textContent = value.length === 0 ? "" : " " + (met ? input.dataset.met : input.dataset.notMet); }
    });
    if (confirm) {
      var error = document.getElementById("confirm-error");
      var mismatch = confirm.value.length > 0 && confirm.value !== value;
      if (error) { error.textContent = mismatch ? confirm.dataset.mismatch : ""; }
      confirm.setAttribute("aria-invalid", mismatch ? "true" : "false");
    }
  }
  input.addEventListener("input", update);
  if (confirm) { confirm.addEventListener("input", update); }
  update();
})();
