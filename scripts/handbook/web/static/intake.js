// Poll until the statistics pages are rebuilt after an upload.
(function poll() {
  fetch("/intake/status").then(r => r.json()).then(s => {
    document.getElementById("stats-status").textContent = s.message;
    if (s.building) setTimeout(poll, 2000);
  }).catch(() => {});
})();

// Show the chosen file names next to the Chinese file button (the browser's own text is hidden).
document.querySelectorAll("input[type=file][data-shows]").forEach(input => {
  input.addEventListener("change", () => {
    const names = [...input.files].map(f => f.name);
    document.getElementById(input.dataset.shows).textContent =
      names.length ? (names.length > 3 ? `${names.slice(0, 3).join("、")} 等 ${names.length} 个文件` : names.join("、")) : "未选择文件";
  });
});
