// The planning job's progress: polls GET /jobs/{id} and shows status, elapsed time and the
// best cost so far (which the service only ever lowers). Text goes in with textContent only.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var text = JSON.parse(document.getElementById("job-text").textContent);
  var jobId = box.getAttribute("data-job");
  var lang = box.getAttribute("data-lang");
  var anchor = box.getAttribute("data-anchor") === "#changes" ? "#changes" : "";
  var statusEl = document.getElementById("job-status");
  var elapsedEl = document.getElementById("job-elapsed");
  var costEl = document.getElementById("job-best-cost");
  var history = document.getElementById("cost-history");
  var errorEl = document.getElementById("job-error");
  var planLink = document.getElementById("job-plan");
  var shown = null;
  var format = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });

  function show(job) {
    statusEl.textContent = text["status_" + job.status] || job.status;
    statusEl.setAttribute("data-status", job.status);
    if (job.elapsed_s !== null && job.elapsed_s !== undefined) {
      elapsedEl.textContent = job.elapsed_s.toFixed(1);
    }
    if (job.best_cost !== null && job.best_cost !== undefined && job.best_cost !== shown) {
      shown = job.best_cost;
      costEl.textContent = format.format(job.best_cost);
      var item = document.createElement("li");
      item.textContent = format.format(job.best_cost);
      item.setAttribute("data-cost", String(job.best_cost));
      history.appendChild(item);
    }
    if (job.status === "succeeded" && job.plan_id) {
      planLink.href =
        "/console/plans/" + job.plan_id + "?lang=" + encodeURIComponent(lang) + anchor;
      planLink.hidden = false;
      return true;
    }
    if (job.status === "failed" || job.status === "cancelled") {
      errorEl.textContent = text.failed + ((job.error && job.error.detail) || job.status);
      errorEl.hidden = false;
      return true;
    }
    return false;
  }

  function poll() {
    fetch("/jobs/" + encodeURIComponent(jobId), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (job) {
        if (!show(job)) window.setTimeout(poll, 700);
      })
      .catch(function () {
        window.setTimeout(poll, 2000);
      });
  }

  poll();
})();
