// The microphone check: asks the browser for the microphone, shows a live level while it is
// allowed, explains how to allow it when blocked, and records the result on the account
// (PUT /api/v1/account/microphone-check). Words come from the page (data-text-*).
(function () {
  "use strict";
  var box = document.getElementById("mic-check");
  if (!box) { return; }
  var status = document.getElementById("mic-status");
  var meterBox = document.getElementById("mic-meter-box");
  var meter = document.getElementById("mic-level");
  var device = document.getElementById("mic-device");
  var denied = document.getElementById("mic-denied");
  var unavailable = document.getElementById("mic-unavailable");
  var retry = document.getElementById("mic-retry");
  var next = document.getElementById("mic-continue");
  var stream = null, context = null;
  var continueText = next.textContent;

  function show(state) {
    box.dataset.state = state;
    status.textContent = box.dataset["text" + state.charAt(0).toUpperCase() + state.slice(1)] || "";
    status.className = state === "allowed" ? "notice ok" : (state === "checking" ? "notice" : "alert");
    meterBox.hidden = state !== "allowed";
    denied.hidden = state !== "denied";
    unavailable.hidden = state !== "unavailable";
    retry.hidden = state === "allowed" || state === "checking";
    next.textContent = (state === "denied" || state === "unavailable") ? next.dataset.textAnyway : continueText;
  }

  function record(result) {
    return fetch("/api/v1/account/microphone-check", {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ result: result })
    }).then(function (response) { box.dataset.recorded = response.ok ? result : "failed"; })
      .catch(function () { box.dataset.recorded = "failed"; });
  }

  function listen(media) {
    stream = media;
    var track = media.getAudioTracks()[0];
    device.textContent = track ? track.label : "";
    var AudioContextType = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextType) { return; }
    context = new AudioContextType();
    var analyser = context.createAnalyser();
    analyser.fftSize = 512;
    context.createMediaStreamSource(media).connect(analyser);
    var samples = new Uint8Array(analyser.fftSize);
    (function tick() {
      analyser.getByteTimeDomainData(samples);
      var peak = 0;
      for (var i = 0; i < samples.length; i++) { peak = Math.max(peak, Math.abs(samples[i] - 128)); }
      meter.value = Math.min(100, Math.round(peak / 128 * 100 * 1.5));
      meter.dataset.peak = String(Math.max(Number(meter.dataset.peak || 0), meter.value));
      if (stream) { window.requestAnimationFrame(tick); }
    })();
  }

  function check() {
    show("checking");
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      show("unavailable");
      record("unavailable");
      return;
    }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (media) {
      show("allowed");
      listen(media);
      record("allowed");
    }, function (error) {
      var blocked = error && (error.name === "NotAllowedError" || error.name === "SecurityError" || error.name === "PermissionDeniedError");
      show(blocked ? "denied" : "unavailable");
      record(blocked ? "denied" : "unavailable");
    });
  }

  retry.addEventListener("click", check);
  window.addEventListener("pagehide", function () {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
    if (context) { context.close(); }
  });
  check();
})();
