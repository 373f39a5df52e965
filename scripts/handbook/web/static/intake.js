// Poll until the statistics pages are rebuilt after an upload.
(function poll() {
  fetch("/intake/status").then(r => r.json()).then(s => {
    document.getElementById("stats-status").textContent = s.message;
    if (s.building) setTimeout(poll, 2000);
  }).catch(() => {});
})();
