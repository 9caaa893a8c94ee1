// A background job's page: polls its progress (JSON) while the job waits or runs and shows the worker's stage and
// counts; when the job ends the page reloads to show the result or the reason. Without script, a meta refresh does it.
(function () {
  "use strict";
  const box = document.getElementById("job");
  if (!box || box.dataset.active !== "true") return;
  const url = box.dataset.progressUrl;
  const every = Math.max(parseFloat(box.dataset.refresh) || 2, 1) * 1000;
  const field = function (name) { return box.querySelector('[data-field="' + name + '"]'); };
  const bar = box.querySelector(".progress");
  const poll = function () {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (state) {
        if (!state.active) { window.location.reload(); return; }
        field("status_label").textContent = state.status_label;
        field("stage_label").textContent = state.stage_label;
        field("counts").textContent = state.total ? "（" + state.done + " / " + state.total + "）" : "";
        bar.hidden = !state.total;
        if (state.total) bar.firstElementChild.style.width = (100 * state.done / state.total).toFixed(1) + "%";
        window.setTimeout(poll, every);
      })
      .catch(function () { window.setTimeout(poll, every * 2); });
  };
  window.setTimeout(poll, every);
})();
