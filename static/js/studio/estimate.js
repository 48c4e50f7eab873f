// The live price and time of the job as set up (POST /api/v1/estimate-cost, debounced):
// both follow the settings (seconds, resolution, frame rate), see apps/catalog/timing.py.
import { apiError, clock, el, requestJSON } from "./dom.js";

var DEBOUNCE_MS = 350;

export function Estimator(box, balanceEl) {
  var timer = null;
  var seq = 0;

  function run(body) {
    var mine = ++seq;
    box.classList.add("busy");
    requestJSON("POST", "/api/v1/estimate-cost", body).then(function (r) {
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
    });
  }

  return {
    schedule: function (bodyFn) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = bodyFn();
        if (body) run(body);
      }, DEBOUNCE_MS);
    },
  };
}
