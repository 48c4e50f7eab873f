// The result panel: one job at a time, polled every second until it ends; a player,
// download, save and cancel. Which job it shows is kept in the URL (?job=) and in
// localStorage, so a reload, the back button or another visit re-attaches it.
import { playUrl, stopVideo } from "../hls-player.js";
import { apiError, el, requestJSON, stageText } from "./dom.js";

var POLL_MS = 1000;
var STORE_KEY = "reelsmith.studio.job";

export function Panel(data, onEnded) {
  var terminal = data.terminal;
  var p = {
    empty: document.getElementById("job-empty"),
    live: document.getElementById("job-live"),
    link: document.getElementById("job-link"),
    status: document.getElementById("job-status"),
    progress: document.getElementById("job-progress"),
    stage: document.getElementById("job-stage"),
    review: document.getElementById("job-review"),
    error: document.getElementById("job-error"),
    attempts: document.getElementById("job-attempts"),
    result: document.getElementById("job-result"),
    video: document.getElementById("job-video"),
    download: document.getElementById("job-download"),
    save: document.getElementById("job-save"),
    saveStatus: document.getElementById("job-save-status"),
    cancel: document.getElementById("job-cancel"),
  };
  var current = null;
  var timer = null;

  function remember(jobId) {
    try {
      if (jobId) window.localStorage.setItem(STORE_KEY, jobId);
      else window.localStorage.removeItem(STORE_KEY);
    } catch (e) { /* storage may be off: the URL still carries it */ }
    var url = new URL(window.location.href);
    if (jobId) url.searchParams.set("job", jobId);
    else url.searchParams.delete("job");
    window.history.replaceState(null, "", url);
  }

  function remembered() {
    var fromUrl = new URL(window.location.href).searchParams.get("job");
    if (fromUrl) return fromUrl;
    try { return window.localStorage.getItem(STORE_KEY); } catch (e) { return null; }
  }

  function reviewText(job) {
    var item = document.querySelector('.rail-item[data-job="' + job.id + '"] .rail-review');
    return item ? item.textContent : "Automatic screening asked a person to check the prompt before it runs. " + data.review_next;
  }

  function render(job) {
    current = job;
    var ended = terminal.indexOf(job.status) >= 0;
    p.empty.hidden = true;
    p.live.hidden = false;
    p.link.textContent = job.id;
    p.link.href = "/jobs/" + job.id + "/";
    p.status.textContent = job.status;
    p.status.className = "badge status-" + job.status;
    p.progress.value = job.status === "completed" ? 100 : job.progress;
    p.progress.hidden = ended;
    p.stage.textContent = stageText(job, data.ended_words) +
      (job.status === "cancelled" || job.status === "failed" || job.status === "rejected" ? " — any credits held were released." : "");
    p.review.hidden = job.status !== "review";
    if (job.status === "review") p.review.textContent = reviewText(job);
    p.cancel.hidden = ended;
    // A cancellation is the owner's doing: the stage line says it, not an error.
    if (job.error && job.status !== "cancelled") {
      p.error.textContent = job.error.message + (job.error.retryable ? " You can try again." : "");
      p.error.hidden = false;
    } else {
      p.error.hidden = true;
    }
    renderAttempts(job);
    if (job.status === "completed" && job.result) {
      // video_url is the signed HLS master playlist for an HLS result (format "hls").
      if (p.video.dataset.source !== job.result.video_url) {
        if (job.result.thumbnail_url) p.video.poster = job.result.thumbnail_url;
        p.video.dataset.source = job.result.video_url;
        playUrl(p.video, job.result.video_url);
      }
      p.download.href = "/jobs/" + job.id + "/download/";
      p.save.disabled = false;
      p.saveStatus.textContent = "";
      p.result.hidden = false;
    } else {
      p.result.hidden = true;
    }
  }

  // Shown once a job has moved to a fallback model: each model, its provider, why it failed.
  function renderAttempts(job) {
    var attempts = job.attempts || [];
    p.attempts.hidden = attempts.length < 2;
    p.attempts.innerHTML = "";
    if (attempts.length < 2) return;
    p.attempts.appendChild(el("strong", { text: "Tried " + attempts.length + " models:" }));
    p.attempts.appendChild(el("ol", {}, attempts.map(function (a, i) {
      var outcome = a.error ? a.error.code + (a.error.message ? ": " + a.error.message : "")
        : job.status === "completed" && i === attempts.length - 1 ? "delivered" : "running";
      return el("li", { "data-testid": "attempt" }, [
        el("code", { text: a.model }), " on " + a.provider + " — " + outcome,
      ]);
    })));
  }

  function stop() {
    clearTimeout(timer);
    timer = null;
  }

  function poll(jobId) {
    requestJSON("GET", "/api/v1/tasks/" + encodeURIComponent(jobId)).then(function (r) {
      if (!current || current.id !== jobId) return; // another job took over the panel
      if (r.ok) {
        render(r.body);
        if (terminal.indexOf(r.body.status) >= 0) {
          stop();
          onEnded();
          return;
        }
      } else if (r.status === 404) {
        p.error.textContent = apiError(r.status, r.body).message;
        p.error.hidden = false;
        remember(null);
        return;
      }
      // A failed poll (network blip) is simply retried.
      timer = setTimeout(function () { poll(jobId); }, POLL_MS);
    });
  }

  function show(job) {
    stop();
    stopVideo(p.video);
    delete p.video.dataset.source;
    p.video.removeAttribute("poster");
    remember(job.id);
    render(job);
    if (terminal.indexOf(job.status) < 0) timer = setTimeout(function () { poll(job.id); }, POLL_MS);
  }

  // Re-attach a job by id (a rail click, a reload): fetch it, then show and follow it.
  // A job that is not this workspace's (remembered from another one) is forgotten, and
  // `fallback` (the newest running job, if any) is shown instead.
  function attach(jobId, fallback) {
    if (!jobId) return;
    current = { id: jobId, status: "queued", progress: 0 };
    requestJSON("GET", "/api/v1/tasks/" + encodeURIComponent(jobId)).then(function (r) {
      if (!current || current.id !== jobId) return;
      if (r.ok) show(r.body);
      else if (r.status === 404) {
        current = null;
        remember(null);
        if (fallback && fallback !== jobId) attach(fallback);
      }
    });
  }

  p.cancel.addEventListener("click", function () {
    if (!current) return;
    var jobId = current.id;
    p.cancel.disabled = true;
    requestJSON("DELETE", "/api/v1/tasks/" + encodeURIComponent(jobId)).then(function (r) {
      p.cancel.disabled = false;
      if (r.ok) {
        stop();
        render(r.body);
        onEnded();
      } else {
        p.error.textContent = apiError(r.status, r.body).message;
        p.error.hidden = false;
      }
    });
  });

  p.save.addEventListener("click", function () {
    if (!current || !current.result) return;
    p.save.disabled = true;
    requestJSON("POST", "/api/v1/gallery", { asset: current.result.asset }).then(function (r) {
      if (r.ok) {
        p.saveStatus.innerHTML = "";
        p.saveStatus.appendChild(document.createTextNode("Saved. "));
        p.saveStatus.appendChild(el("a", { href: "/gallery/" + r.body.id + "/", text: "Open in the gallery" }));
      } else {
        p.save.disabled = false;
        p.saveStatus.textContent = apiError(r.status, r.body).message;
        p.saveStatus.className = "error-text small";
      }
    });
  });

  return {
    show: show,
    attach: attach,
    remembered: remembered,
    currentId: function () { return current && current.id; },
    resume: function () { if (current && terminal.indexOf(current.status) < 0) attach(current.id); },
  };
}
