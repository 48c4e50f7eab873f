// "Try it without an account": posts the form to POST /api/v1/generate without any
// credentials (the free perk), then polls the capability URL the answer carries.
(function () {
  "use strict";
  function setup(section) {
    var form = section.querySelector(".try-free-form");
    var status = section.querySelector(".try-free-status");
    var video = section.querySelector(".try-free-result");
    var button = form.querySelector("button");
    function show(text) { status.textContent = text; }
    function poll(url) {
      fetch(url, { credentials: "omit" })
        .then(function (r) { return r.json().then(function (b) { return [r, b]; }); })
        .then(function (rb) {
          var body = rb[1];
          if (!rb[0].ok) { show((body.error && body.error.message) || "Something went wrong."); button.disabled = false; return; }
          if (body.status === "completed" && body.result) {
            show("Done. Keep the link: it works for 24 hours.");
            video.src = body.result.video_url; video.hidden = false; button.disabled = false;
          } else if (body.error) {
            show(body.error.message); button.disabled = false;
          } else {
            show((body.stage || body.status) + (body.progress ? " · " + body.progress + " %" : "") + "…");
            setTimeout(function () { poll(url); }, 2000);
          }
        })
        .catch(function () { setTimeout(function () { poll(url); }, 4000); });
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true; video.hidden = true; show("Sending…");
      fetch(form.dataset.api, { method: "POST", body: new FormData(form), credentials: "omit" })
        .then(function (r) { return r.json().then(function (b) { return [r, b]; }); })
        .then(function (rb) {
          var body = rb[1];
          if (rb[0].status !== 202) { show((body.error && body.error.message) || "Refused."); button.disabled = false; return; }
          section.dataset.capability = body.capability_url;
          show("Queued…"); poll(body.capability_url);
        })
        .catch(function () { show("Could not reach the server."); button.disabled = false; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".try-free").forEach(setup);
  });
})();
