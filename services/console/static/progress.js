// While a round runs: ask the console for its progress every second, show it,
// and load the report once the round is over. Without script, the page's
// "Refresh now" link does the same by hand.
(function () {
  var panel = document.querySelector("[data-progress]");
  if (!panel) { return; }
  var url = panel.getAttribute("data-progress");
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        if (p.status !== "requested" && p.status !== "running") {
          window.location.reload();
          return;
        }
        document.getElementById("status").textContent = p.status_words;
        document.getElementById("phase").textContent = p.phase;
        document.getElementById("elapsed").textContent = p.elapsed;
      })
      .catch(function () {})
      .then(function () { window.setTimeout(tick, 1000); });
  }
  window.setTimeout(tick, 1000);
})();
