// The live price and time of the job as set up (POST /api/v1/estimate-cost, debounced):
// both follow the settings (seconds, resolution, frame rate), see apps/catalog/timing.py.
// With fallback models, each candidate is priced the same way and the hold shown is the
// highest of them, as submit holds it (apps/jobs/fallback.py).
import { apiError, clock, el, requestJSON } from "./dom.js";

var DEBOUNCE_MS = 350;

export function Estimator(box, balanceEl) {
  var timer = null;
  var seq = 0;

  function run(body, fallbacks) {
    var mine = ++seq;
    box.classList.add("busy");
    var others = (fallbacks || []).map(function (id) {
      return requestJSON("POST", "/api/v1/estimate-cost", Object.assign({}, body, { model: id }))
        .then(function (r) { return { id: id, r: r }; });
    });
    Promise.all([requestJSON("POST", "/api/v1/estimate-cost", body)].concat(others)).then(function (answers) {
      var r = answers[0];
      if (mine !== seq) return; // an older answer
      box.classList.remove("busy");
      box.innerHTML = "";
      if (!r.ok) {
        var err = apiError(r.status, r.body);
        box.appendChild(el("span", { className: "error-text", "data-testid": "estimate-error", text: "Can't price this yet: " + err.message }));
        return;
      }
      var e = r.body;
      var available = parseInt(balanceEl.dataset.available, 10);
      box.appendChild(el("span", { className: "price" }, [
        el("strong", { id: "estimate-credits", text: String(e.estimated_credits) }),
        " credits",
      ]));
      box.appendChild(el("span", { className: "muted" }, [
        " · about ",
        el("strong", { id: "estimate-time", "data-seconds": e.processing_time_estimate_s, text: clock(e.processing_time_estimate_s) }),
        " · " + e.confidence + " confidence",
      ]));
      if (e.estimated_credits > available) {
        box.appendChild(el("p", { className: "error-text small", text: "More than the " + available + " credits available." }));
      }
      (e.notes || []).forEach(function (note) {
        box.appendChild(el("p", { className: "muted small note", text: note }));
      });
      if (answers.length > 1) hold(e, answers.slice(1), available);
    });
  }

  function hold(primary, candidates, available) {
    var most = primary.estimated_credits;
    var refused = [];
    candidates.forEach(function (c) {
      if (c.r.ok) most = Math.max(most, c.r.body.estimated_credits);
      else refused.push(c.id + ": " + apiError(c.r.status, c.r.body).message);
    });
    box.appendChild(el("p", { className: "small", "data-testid": "estimate-hold" }, [
      "Held on submit: ",
      el("strong", { id: "estimate-hold-credits", text: String(most) }),
      " credits, the highest of the " + (candidates.length + 1) + " models; you are charged the price of the one that delivers.",
    ]));
    if (most > available) {
      box.appendChild(el("p", { className: "error-text small", text: "The hold is more than the " + available + " credits available." }));
    }
    refused.forEach(function (text) {
      box.appendChild(el("p", { className: "error-text small", "data-testid": "estimate-fallback-error", text: "Fallback " + text }));
    });
  }

  return {
    schedule: function (bodyFn, fallbacks) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = bodyFn();
        if (body) run(body, fallbacks);
      }, DEBOUNCE_MS);
    },
  };
}
