// The fields a model takes, built from the catalogue's data: only what the model supports
// is shown, choices are limited to what it renders, numbers carry its ranges, and each
// field checks itself before anything is sent (so nothing is refused after submit).
import { el } from "./dom.js";
import { fileField } from "./inputs.js";

export var LABELS = {
  prompt: "Prompt",
  negative_prompt: "Negative prompt",
  duration: "Duration (seconds)",
  resolution: "Resolution",
  aspect_ratio: "Aspect ratio",
  fps: "Frames per second",
  with_audio: "Generate audio",
  cfg_scale: "Prompt adherence (0–1)",
  seed: "Seed",
  camera_fixed: "Fixed camera",
  camera_motion: "Camera motion",
  motion_strength: "Motion strength (0–1)",
  enable_prompt_expansion: "Expand the prompt",
  mode: "Mode",
  trim_start: "Trim start (s)",
  trim_end: "Trim end (s)",
  start_time: "Retake from (s)",
  retake_mode: "Replace",
  speed: "Speed (×)",
  mute: "Mute",
  fit: "Fit",
  output_format: "Output format",
  optimize_level: "Compression",
  target_size_mb: "Target size (MB)",
  background_color: "Background colour (#rrggbb; empty: transparent WebM)",
  storyboard: "Scenes",
};
var INTEGER_OPTIONS = { seed: true, duration: true, fps: true };

export function rangeText(r, unit) {
  if (!r) return "";
  if (r.choices) return r.choices.join(" or ") + (unit || "");
  return r.min === r.max ? r.min + (unit || "") : r.min + "–" + r.max + (unit || "");
}

function select(id, choices, value, blankLabel) {
  var s = el("select", { id: id });
  if (blankLabel) s.appendChild(el("option", { value: "", text: blankLabel }));
  choices.forEach(function (c) {
    var option = el("option", { value: String(c), text: String(c) });
    if (String(c) === String(value)) option.selected = true;
    s.appendChild(option);
  });
  return s;
}

function numberInput(id, range, value, step) {
  return el("input", {
    id: id,
    type: "number",
    inputmode: "decimal",
    min: range && range.min !== undefined ? range.min : null,
    max: range && range.max !== undefined ? range.max : null,
    step: step || "any",
    value: value === null || value === undefined ? null : value,
  });
}

// A number typed into a field with a range: null when fine, else what is wrong.
function numberProblem(label, raw, range, integer) {
  if (raw === undefined || raw === "") return null;
  var n = Number(raw);
  if (!isFinite(n)) return label + " must be a number.";
  if (integer && Math.round(n) !== n) return label + " must be a whole number.";
  if (range && range.min !== undefined && (n < range.min || n > range.max)) {
    return label + " must be " + rangeText(range) + " for this model, not " + raw + ".";
  }
  return null;
}

// Builds the fields of `model` into ctx.box; returns name -> {control, get(), check()}.
export function buildFields(model, ctx) {
  var box = ctx.box;
  var fields = {};
  box.innerHTML = "";
  var processable = ctx.processSettings; // on the Process tab: what /process settings carry
  function shown(name) { return !processable || name in processable; }

  function wrap(name, label, control, hint, extra) {
    var wrapper = el("div", { className: "field", "data-field": name });
    if (control.type === "checkbox") {
      wrapper.appendChild(el("label", { className: "check", for: control.id }, [control, " " + label]));
    } else {
      wrapper.appendChild(el("label", { for: control.id, text: label }));
      wrapper.appendChild(extra || control);
    }
    if (hint) wrapper.appendChild(el("p", { className: "hint muted small", text: hint }));
    wrapper.appendChild(el("p", { className: "field-error", "data-error-for": name, role: "alert" }));
    box.appendChild(wrapper);
    return wrapper;
  }

  function add(name, label, control, hint, opts) {
    opts = opts || {};
    var wrapper = wrap(name, label, control, hint, opts.box);
    fields[name] = {
      control: control,
      file: !!opts.file,
      get: opts.read || function () {
        if (control.type === "checkbox") return control.checked ? true : undefined;
        var v = control.value.trim();
        return v === "" ? undefined : v;
      },
      check: opts.check || function () { return null; },
    };
    return wrapper;
  }

  function addNumber(name, range, value, unit, note) {
    var control = numberInput("f-" + name, range, value, INTEGER_OPTIONS[name] ? 1 : "any");
    var hint = rangeText(range, unit) + (note ? " · " + note : "");
    return add(name, LABELS[name] || name, control, hint, {
      check: function () { return numberProblem(LABELS[name] || name, control.value.trim(), range, INTEGER_OPTIONS[name]); },
    });
  }

  var roles = model.inputs.required.map(function (r) { return [r, true]; })
    .concat(model.inputs.optional.map(function (r) { return [r, false]; }));
  roles.forEach(function (pair) {
    var f = fileField(pair[0], pair[1], ctx.fileContext(model));
    add(pair[0], f.label, f.control, null, { box: f.box, read: f.read, check: f.check, file: true });
  });
  if (roles.length && ctx.uploadNote) box.appendChild(ctx.uploadNote);
  if (ctx.uploadNote) ctx.uploadNote.hidden = !roles.length;

  if (model.prompt !== "none" && (!processable || ctx.processPrompt)) addPrompt(model, ctx, add);
  if (model.storyboard && !processable) addStoryboard(ctx, box, fields);
  if (model.durations && !model.duration_from && !model.storyboard && shown("duration")) {
    var d = model.durations;
    if (d.choices) {
      var dur = select("f-duration", d.choices, model.default_duration);
      dur.disabled = d.choices.length === 1; // nothing to choose: shown, not changeable
      add("duration", LABELS.duration, dur, d.choices.length === 1 ? "This model makes " + d.choices[0] + " s clips." : rangeText(d, " s"));
    } else {
      addNumber("duration", d, model.default_duration, " s");
    }
  } else if (model.duration_from && !processable) {
    box.appendChild(el("p", { className: "muted small", text: "The length follows the " + model.duration_from + " you give." }));
  }
  if (model.resolutions.length && shown("resolution")) {
    var res = select("f-resolution", model.resolutions, model.default_resolution, model.default_resolution ? null : "Keep");
    res.disabled = model.resolutions.length === 1 && !!model.default_resolution;
    add("resolution", LABELS.resolution, res);
  }
  if (model.aspect_ratios.length && shown("aspect_ratio")) {
    add("aspect_ratio", LABELS.aspect_ratio, select("f-aspect_ratio", model.aspect_ratios, model.default_aspect_ratio, model.default_aspect_ratio ? null : "Keep"));
  }
  addControls(model, shown, add, addNumber);
  if (model.native_audio && shown("with_audio")) {
    // Always on for this model: shown so people know, but not a choice.
    var always = el("input", { id: "f-with_audio", type: "checkbox" });
    always.checked = true;
    always.disabled = true;
    add("with_audio", LABELS.with_audio, always, "This model always makes sound.", { read: function () { return undefined; } });
  }
  if (model.options.indexOf("with_audio") >= 0 && !model.native_audio && shown("with_audio")) {
    addAudioToggle(model, add);
  }
  model.options.forEach(function (name) {
    if (!shown(name) || fields[name]) return;
    var allowed = name === "with_audio" ? [true, false] : ctx.options[name];
    var id = "f-" + name;
    if (Array.isArray(allowed) && allowed.length === 2 && typeof allowed[0] === "boolean") {
      add(name, LABELS[name] || name, el("input", { id: id, type: "checkbox" }));
    } else if (Array.isArray(allowed)) {
      add(name, LABELS[name] || name, select(id, allowed, null, "Default"));
    } else if (allowed && allowed.min !== undefined) {
      addNumber(name, allowed, null);
    } else if (allowed && allowed.pattern) {
      add(name, LABELS[name] || name, el("input", { id: id, type: "text", pattern: allowed.pattern.replace(/^\^|\$$/g, ""), placeholder: "#00ff00" }));
    } else if (allowed && allowed.max_length) {
      add(name, LABELS[name] || name, el("input", { id: id, type: "text", maxlength: allowed.max_length }));
    } else if (allowed !== undefined) {
      add(name, LABELS[name] || name, el("input", { id: id, type: "text" }));
    }
  });
  // Short controls side by side, long ones full width.
  box.querySelectorAll(".field").forEach(function (f) {
    f.classList.toggle("wide", !!f.querySelector("textarea, .dropzone, .scenes"));
  });
  return fields;
}

// camera_motion, motion_strength and fps, each only where the model takes it, with how it
// reaches the model (its own field, its own prompt syntax, or prompt guidance).
export function controlHint(control) {
  var text = control.hint || "";
  return text ? text.charAt(0).toUpperCase() + text.slice(1) + "." : "";
}

function addControls(model, shown, add, addNumber) {
  var controls = model.controls || {};
  function mark(wrapper, control) {
    wrapper.setAttribute("data-via", control.via);
  }
  var camera = controls.camera_motion;
  if (camera && shown("camera_motion")) {
    mark(add("camera_motion", LABELS.camera_motion, select("f-camera_motion", camera.values, null, "Default"), controlHint(camera)), camera);
  }
  var strength = controls.motion_strength;
  if (strength && shown("motion_strength")) {
    mark(addNumber("motion_strength", strength.range, null, "", controlHint(strength)), strength);
  }
  var fps = controls.fps;
  if (fps && shown("fps")) {
    var fpsField = fps.values
      ? add("fps", LABELS.fps, select("f-fps", fps.values, model.default_fps, model.default_fps ? null : "Default"), controlHint(fps))
      : addNumber("fps", fps.range, model.default_fps, "", controlHint(fps));
    mark(fpsField, fps);
  }
}

// The model's audio choice: checked when the model makes sound by default (Seedance 1.5
// Pro extend), sending false when unchecked so the lower price is what is asked for.
function addAudioToggle(model, add) {
  var audio = model.audio || {};
  var box = el("input", { id: "f-with_audio", type: "checkbox" });
  box.checked = !!audio.default;
  var hint = [];
  if (audio.price_multiplier && audio.price_multiplier !== 1) hint.push("×" + audio.price_multiplier + " price with audio");
  if (audio.default) hint.push("on by default for this model");
  add("with_audio", LABELS.with_audio, box, hint.join(" · ") || null, {
    read: function () {
      if (box.checked) return true;
      return audio.default ? false : undefined;
    },
  });
}

function addPrompt(model, ctx, add) {
  var limit = ctx.promptMax;
  var prompt = el("textarea", { id: "f-prompt", rows: 3, placeholder: "Describe the shot: subject, action, setting, light, camera", "aria-describedby": "prompt-counter" });
  prompt.value = ctx.keptPrompt || "";
  var counter = el("span", { id: "prompt-counter", className: "counter small muted", "aria-live": "polite" });
  function count() {
    var n = prompt.value.length;
    counter.textContent = n + " / " + limit;
    counter.classList.toggle("over", n > limit);
  }
  prompt.addEventListener("input", function () {
    count();
    ctx.promptChanged(prompt.value);
  });
  count();
  var boxed = el("div", { className: "prompt-box" }, [prompt, counter]);
  add("prompt", LABELS.prompt + (model.prompt === "required" ? "" : " (optional)"), prompt, null, {
    box: boxed,
    check: function () {
      var n = prompt.value.length;
      return n > limit ? "The prompt is " + n + " characters; the limit is " + limit + "." : null;
    },
  });
}

function addStoryboard(ctx, box, fields) {
  var list = el("ol", { className: "scenes", id: "f-storyboard" });
  function addScene(prompt, seconds) {
    var text = el("input", { type: "text", placeholder: "What happens in this shot", "aria-label": "Scene prompt", value: prompt || null, maxlength: ctx.promptMax });
    var dur = numberInput(null, { min: 1 }, seconds || 5, 1);
    dur.setAttribute("aria-label", "Scene seconds");
    var remove = el("button", { type: "button", className: "link", text: "Remove" });
    var item = el("li", { className: "scene" }, [text, dur, el("span", { className: "muted small", text: "s" }), remove]);
    remove.addEventListener("click", function () {
      if (list.children.length > 1) { item.remove(); ctx.changed(); }
    });
    list.appendChild(item);
  }
  addScene("", 5);
  addScene("", 5);
  var more = el("button", { type: "button", className: "secondary", text: "Add scene" });
  more.addEventListener("click", function () { addScene("", 5); ctx.changed(); });
  box.appendChild(el("div", { className: "field wide", "data-field": "storyboard" }, [
    el("span", { className: "label", text: LABELS.storyboard }),
    el("div", { id: "f-storyboard-box" }, [list, more]),
    el("p", { className: "hint muted small", text: "One shot per scene; the video's length is the sum of the scenes." }),
    el("p", { className: "field-error", "data-error-for": "storyboard", role: "alert" }),
  ]));
  fields.storyboard = {
    control: list,
    get: function () {
      var scenes = [];
      list.querySelectorAll("li").forEach(function (li) {
        var inputs = li.querySelectorAll("input");
        scenes.push({ prompt: inputs[0].value.trim(), duration: parseInt(inputs[1].value, 10) || 0 });
      });
      return scenes;
    },
    check: function () { return null; },
  };
}
