// Progress of a long synchronous run (an allocation): once the form is submitted, the page shows the run's stages
// and a bar that advances over the time the last run of this alliance took, stopping short of the end until the
// server answers with the result page. The estimate comes from the server (data-progress, in seconds).
(function () {
  "use strict";
  const form = document.querySelector("form[data-progress]");
  const box = document.getElementById("run-progress");
  if (!form || !box) return;
  const bar = box.querySelector(".progress-bar");
  const label = box.querySelector("[data-stages]");
  const stages = JSON.parse(label.dataset.stages);
  const estimate = Math.max(parseFloat(form.dataset.progress) || 1, 0.5) * 1000;
  form.addEventListener("submit", function () {
    box.hidden = false;
    form.querySelector("button[type=submit]").disabled = true;
    const started = performance.now();
    const tick = function () {
      const share = Math.min((performance.now() - started) / estimate, 1);
      bar.style.width = (share * 95).toFixed(1) + "%";
      label.textContent = stages[Math.min(Math.floor(share * stages.length), stages.length - 1)];
      if (share < 1) window.requestAnimationFrame(tick);
    };
    window.requestAnimationFrame(tick);
  });
})();
