// The chosen model in a few words: badges, strengths, limits, price, what it makes, and,
// for a continuation, that it starts from the source video's last frame.
import { el } from "./dom.js";
import { rangeText } from "./fields.js";

export function renderInfo(infoBox, model) {
  infoBox.innerHTML = "";
  infoBox.appendChild(el("div", { className: "model-badges" }, [
    el("strong", { text: model.name }),
    el("span", { className: "badge quality-" + model.quality, text: model.quality }),
    el("span", { className: "badge", text: model.provider_name }),
    model.available
      ? el("span", { className: "badge status-completed", text: "available" })
      : el("span", { className: "badge status-failed", text: "unavailable" }),
  ]));
  if (!model.available) {
    infoBox.appendChild(el("p", { className: "error-text why-not", text: "Not available: " + model.unavailable_reason }));
  }
  if (model.continuation) {
    infoBox.appendChild(el("p", { className: "small", "data-testid": "continuation-note", text: "Continues your video: this image-to-video model starts from its last frame." }));
  }
  if (model.strengths) infoBox.appendChild(el("p", { text: model.strengths }));
  var facts = el("dl", { className: "facts small" });
  function fact(term, value) {
    if (!value) return;
    facts.appendChild(el("dt", { text: term }));
    facts.appendChild(el("dd", { text: value }));
  }
  fact("Good for", model.use_cases);
  fact("Limits", model.limitations);
  fact("Price", model.pricing && model.pricing.summary);
  var takes = [];
  if (model.durations) takes.push(rangeText(model.durations, " s"));
  if (model.duration_from) takes.push("length of the " + model.duration_from);
  if (model.resolutions.length) takes.push(model.resolutions.join(" / "));
  if (model.fps) takes.push(rangeText(model.fps) + " fps");
  if (model.native_audio) takes.push("native audio");
  fact("Makes", takes.join(" · "));
  var controls = model.controls || {};
  var via = { native: "native", prompt: "prompt guidance", "native+prompt": "native + prompt guidance" };
  fact("Controls", ["camera_motion", "motion_strength", "fps"].filter(function (name) {
    return controls[name];
  }).map(function (name) {
    return name.replace("_", " ") + " (" + via[controls[name].via] + ")";
  }).join(" · "));
  if (model.audio && model.audio.optional && model.audio.default) {
    fact("Audio", "On by default" + (model.audio.price_multiplier !== 1 ? " (×" + model.audio.price_multiplier + " price); untick it for the lower price" : ""));
  }
  var p = model.processing_time_s;
  if (p) fact("Typical time", p.min + "–" + p.max + " s" + (p.per_output_second ? " per output second" : ""));
  infoBox.appendChild(facts);
}
