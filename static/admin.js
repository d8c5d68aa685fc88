// Staff pages: small helps on top of forms that work without any script.
(function () {
  "use strict";
  function pad(number) { return (number < 10 ? "0" : "") + number; }

  // A "Publish at" field has no time zone: tell the server the browser's, and show a stored
  // time (sent in UTC) in local time.
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
  var zoneInput = document.querySelector("input[data-time-zone]");
  var when = document.getElementById("publish_at");
  if (zone && zoneInput && zoneInput.value === "UTC") {
    var stored = when && when.getAttribute("data-utc");
    if (stored) {
      var moment = new Date(stored);
      if (!isNaN(moment.getTime())) {
        when.value = moment.getFullYear() + "-" + pad(moment.getMonth() + 1) + "-" +
          pad(moment.getDate()) + "T" + pad(moment.getHours()) + ":" + pad(moment.getMinutes());
      }
    }
    zoneInput.value = zone;
  }
  var hint = document.getElementById("publish_at-hint");
  if (hint && zoneInput) {
    hint.textContent = "Your local time (" + zoneInput.value + "). Nothing is sent before then.";
  }

  // Warn about an image over the size limit before it is sent.
  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () {
      var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
      var file = input.files && input.files[0];
      input.setCustomValidity("");
      if (file && limit && file.size > limit) {
        input.setCustomValidity("This image is larger than " + Math.floor(limit / 1048576) + " MB.");
        input.reportValidity();
      }
    });
  });

  // After a submit, move focus to what the page says about it: errors first, then a preview.
  var target = document.getElementById("error-summary") || document.getElementById("preview");
  if (target) { target.focus(); }
})();
