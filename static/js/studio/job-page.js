// A job's own page while it runs: the bar, the stage line and the facts box move together
// (one phrase for all three), then the page reloads once the job has ended.
import { requestJSON, stageText } from "./dom.js";

var POLL_MS = 1000;

export function watchJobPage(watch, data) {
  var terminal = data.terminal || ["completed", "failed", "cancelled", "rejected"];
  var bar = document.getElementById("job-progress");
  var stage = document.getElementById("job-stage");
  var facts = document.getElementById("job-facts-status");
  var timer = setInterval(function () {
    requestJSON("GET", watch.dataset.endpoint).then(function (r) {
      if (!r.ok) return;
      var text = stageText(r.body, data.ended_words);
      bar.value = r.body.progress;
      stage.textContent = text;
      if (facts) facts.textContent = text;
      if (terminal.indexOf(r.body.status) >= 0) {
        clearInterval(timer);
        window.location.reload();
      }
    });
  }, POLL_MS);
}
