// The jobs rail: the workspace's running and recent jobs, rendered by the server
// (GET /studio/jobs/), so it is the same after a reload or on another device. Refreshed
// every 2 s while something runs (every 10 s otherwise); the clocks tick in between.
// A click shows the job in the result panel; a modified click opens its page.
import { clock } from "./dom.js";

var BUSY_MS = 2000;
var IDLE_MS = 10000;

export function Rail(container, url, onPick) {
  var timer = null;
  var loading = false;
  var again = false; // a refresh asked for while one was on its way: run it after

  function active() {
    return container.querySelectorAll('.rail-item[data-ended="0"]').length > 0;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, active() ? BUSY_MS : IDLE_MS);
  }

  function refresh() {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    again = false;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html !== null) container.innerHTML = html;
      }, function () { /* offline for a moment: keep what is shown */ })
      .then(function () {
        loading = false;
        mark();
        if (again) refresh();
        else schedule();
      });
  }

  function tick() {
    container.querySelectorAll('.rail-item[data-ended="0"]').forEach(function (item) {
      var elapsed = Number(item.dataset.elapsed || 0) + 1;
      item.dataset.elapsed = elapsed;
      var e = item.querySelector(".rail-elapsed");
      if (e) e.textContent = clock(elapsed);
      if (item.dataset.eta !== undefined) {
        var eta = Math.max(0, Number(item.dataset.eta) - 1);
        item.dataset.eta = eta;
        var t = item.querySelector(".rail-eta");
        if (t) t.textContent = eta > 0 ? "about " + clock(eta) + " left" : "any moment now";
      }
    });
  }

  var selected = null;
  function mark() {
    container.querySelectorAll(".rail-item").forEach(function (item) {
      item.classList.toggle("selected", item.dataset.job === selected);
      var link = item.querySelector("a.rail-open");
      if (link) {
        if (item.dataset.job === selected) link.setAttribute("aria-current", "true");
        else link.removeAttribute("aria-current");
      }
    });
  }

  container.addEventListener("click", function (e) {
    var link = e.target.closest("a[data-attach]");
    if (!link || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || e.button !== 0) return;
    e.preventDefault();
    onPick(link.dataset.attach);
  });

  setInterval(tick, 1000);
  mark();
  schedule();

  return {
    refresh: refresh,
    select: function (jobId) { selected = jobId; mark(); },
    firstActive: function () {
      var item = container.querySelector('.rail-item[data-ended="0"]');
      return item ? item.dataset.job : null;
    },
    has: function (jobId) { return !!container.querySelector('.rail-item[data-job="' + jobId + '"]'); },
  };
}
