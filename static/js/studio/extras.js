// The Studio's job-level choices that are not a model's own fields (issue 17):
//   - the output format of a generate job: MP4, or HLS (adaptive streaming) for the tiers in
//     HLS_TIERS; other tiers see HLS disabled with a hint naming those tiers. On the Process
//     tab's transform, "hls" joins the format select the same way;
//   - on the Extend tab, "continue with an image-to-video model": the source video's last
//     frame goes to the chosen i2v model and the result is the source followed by its
//     continuation (apps/jobs/continuation.py), with an optional crossfade;
//   - fallback models: up to N models of the same method tried in order if the model's
//     provider fails before any output (apps/jobs/fallback.py); the hold is the highest
//     price among them (estimate.js prices each).
import { el } from "./dom.js";

var CONTINUE_VIDEO_FORMATS = ["mp4", "mov", "webm"];

// An image-to-video model as the Extend tab's "continue" shows it: it takes the source
// video where it took its start image (the continuation starts from the video's last frame).
export function continuationModel(model) {
  var limits = Object.assign({}, model.limits || {});
  limits.video_formats = CONTINUE_VIDEO_FORMATS;
  return Object.assign({}, model, {
    inputs: { required: ["video"], optional: [] },
    limits: limits,
    continuation: true,
  });
}

export function Extras(data, box, changed) {
  var hls = data.hls || { tiers: [], allowed: false };
  var maxFallbacks = data.max_fallbacks || 3;
  var maxCrossfade = (data.continuation && data.continuation.max_crossfade) || 1;
  var state = { continuing: false, outputFormat: "", fallbacks: [], crossfade: "" };
  var controls = {};

  function hlsHint() {
    var names = hls.tiers.length ? hls.tiers.join(", ") : "none";
    return hls.allowed
      ? "HLS: an adaptive master playlist (several renditions, ~4 s segments) besides the MP4."
      : "HLS output is for the " + names + " tier" + (hls.tiers.length === 1 ? "" : "s") +
        " only; this workspace is on the " + (hls.tier || "default") + " tier.";
  }

  function field(name, label, control, hint) {
    var wrapper = el("div", { className: "field", "data-field": name });
    if (control.type === "checkbox") {
      wrapper.appendChild(el("label", { className: "check", for: control.id }, [control, " " + label]));
    } else {
      wrapper.appendChild(el("label", { for: control.id, text: label }));
      wrapper.appendChild(control);
    }
    if (hint) wrapper.appendChild(el("p", { className: "hint muted small", "data-testid": "hint-" + name, text: hint }));
    wrapper.appendChild(el("p", { className: "field-error", "data-error-for": name, role: "alert" }));
    box.appendChild(wrapper);
    return wrapper;
  }

  function outputFormat() {
    var s = el("select", { id: "f-output-format" });
    s.appendChild(el("option", { value: "", text: "MP4" }));
    var option = el("option", { value: "hls", text: "HLS (adaptive streaming)", disabled: !hls.allowed });
    s.appendChild(option);
    s.value = hls.allowed ? state.outputFormat : "";
    s.addEventListener("change", function () { state.outputFormat = s.value; });
    field("output_format", "Output format", s, hlsHint());
    controls.outputFormat = s;
  }

  function continueControls(method) {
    if (method !== "extend-video") return;
    var check = el("input", { id: "f-continue", type: "checkbox" });
    check.checked = state.continuing;
    check.addEventListener("change", function () {
      state.continuing = check.checked;
      state.fallbacks = [];
      changed({ models: true });
    });
    field("continue", "Continue it with image-to-video (from its last frame)", check,
      "The source's last frame starts the chosen image-to-video model; you get one video, " +
      "the source followed by its continuation, priced as that model's run.");
    if (!state.continuing) return;
    var fade = el("input", { id: "f-crossfade", type: "number", min: 0, max: maxCrossfade, step: 0.1, inputmode: "decimal", value: state.crossfade || null });
    fade.addEventListener("input", function () { state.crossfade = fade.value.trim(); });
    field("crossfade", "Crossfade (seconds)", fade, "0–" + maxCrossfade + " s of dissolve at the join; empty: a straight cut.");
    controls.crossfade = fade;
  }

  function fallbackControls(candidates) {
    if (!candidates.length) return;
    var s = el("select", { id: "f-fallback-models", multiple: true, size: Math.min(5, candidates.length) });
    candidates.forEach(function (m) {
      var option = el("option", { value: m.id, text: m.name + " — " + ((m.pricing && m.pricing.summary) || "") });
      if (state.fallbacks.indexOf(m.id) >= 0) option.selected = true;
      s.appendChild(option);
    });
    state.fallbacks = state.fallbacks.filter(function (id) {
      return candidates.some(function (m) { return m.id === id; });
    });
    s.addEventListener("change", function () {
      state.fallbacks = Array.prototype.filter.call(s.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; });
      changed({});
    });
    field("fallback_models", "Fallbacks (optional)", s,
      "Tried in the order chosen if the model's provider fails before any output (up to " +
      maxFallbacks + "). The hold is the highest of their prices; you pay only the model that delivers.");
    controls.fallbacks = s;
  }

  // The Process tab's transform: "hls" joins the model's format choices.
  function transformFormat() {
    var s = document.getElementById("f-output_format");
    if (!s || s.querySelector('option[value="hls"]')) return;
    s.appendChild(el("option", { value: "hls", text: "hls (adaptive streaming)", disabled: !hls.allowed }));
    var wrapper = s.closest(".field");
    if (wrapper) wrapper.insertBefore(el("p", { className: "hint muted small", "data-testid": "hint-transform-hls", text: hlsHint() }), wrapper.querySelector(".field-error"));
  }

  return {
    continuing: function (method) { return method === "extend-video" && state.continuing; },
    // After the model's own fields are built: what this tab and model offer.
    render: function (ctx) {
      box.innerHTML = "";
      controls = {};
      if (ctx.kind === "process") {
        if (ctx.operation === "transform") transformFormat();
        return;
      }
      continueControls(ctx.method);
      outputFormat();
      fallbackControls(ctx.candidates || []);
    },
    fallbacks: function () { return state.fallbacks.slice(); },
    // Problems found before sending (shown next to the control), or 0.
    check: function (show) {
      var found = 0;
      if (state.fallbacks.length > maxFallbacks && show("fallback_models", "Choose at most " + maxFallbacks + " fallback models.")) found++;
      if (controls.crossfade && state.crossfade !== "") {
        var n = Number(state.crossfade);
        if (!isFinite(n) || n < 0 || n > maxCrossfade) {
          if (show("crossfade", "Crossfade must be 0–" + maxCrossfade + " seconds.")) found++;
        }
      }
      return found;
    },
    // The multipart fields of a generate request.
    append: function (body, method) {
      if (state.outputFormat === "hls" && hls.allowed) body.append("output_format", "hls");
      if (state.fallbacks.length) body.append("fallback_models", JSON.stringify(state.fallbacks));
      if (method === "extend-video" && state.continuing) {
        body.append("mode", "continue");
        if (state.crossfade !== "") body.append("crossfade", String(Number(state.crossfade)));
      }
    },
  };
}
