// Small helpers shared by the Studio's modules: building elements, the CSRF token, JSON
// requests that never throw, the API's error envelope, and clock text.

export function el(tag, attrs, children) {
  var node = document.createElement(tag);
  Object.keys(attrs || {}).forEach(function (key) {
    var value = attrs[key];
    if (value === null || value === undefined || value === false) return;
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  });
  (children || []).forEach(function (child) {
    if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  });
  return node;
}

export function csrfToken() {
  var input = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (input) return input.value;
  var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

// The API's error envelope as {message, code, problems, details}; never blank.
export function apiError(status, body) {
  var error = body && body.error;
  if (error && error.message) {
    var details = error.details || {};
    return { message: error.message, code: error.code, problems: details.problems || [], details: details };
  }
  return { message: "The request failed (HTTP " + status + "). Please try again.", problems: [], details: {} };
}

export function requestJSON(method, url, body) {
  var options = {
    method: method,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  return fetch(url, options).then(
    function (response) {
      return response.json().then(
        function (json) { return { ok: response.ok, status: response.status, body: json }; },
        function () { return { ok: false, status: response.status, body: null }; }
      );
    },
    function () {
      return { ok: false, status: 0, body: { error: { message: "Could not reach the server (network error)." } } };
    }
  );
}

// 12 s, 3:05, 1:02:09: the same format as apps/dashboard/jobrail.py clock().
export function clock(seconds) {
  seconds = Math.max(0, Math.round(seconds));
  if (seconds < 60) return seconds + " s";
  var h = Math.floor(seconds / 3600);
  var m = Math.floor((seconds % 3600) / 60);
  var s = seconds % 60;
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
}

var STATUS_LABELS = { queued: "Queued", review: "In review", running: "Running", delivering: "Delivering" };

// Where a job stands, in one phrase: the same words as jobrail.stage_text() on the server.
export function stageText(job, endedWords) {
  if (endedWords && endedWords[job.status]) return endedWords[job.status];
  if (job.status === "review") return "Held for review";
  var stage = job.stage || STATUS_LABELS[job.status] || job.status;
  if (job.status === "queued") return stage;
  return stage + " · " + job.progress + "%";
}
