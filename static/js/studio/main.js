// The Studio: tabs and a model picker; the fields the chosen model takes (fields.js, with
// files in inputs.js); a live price and time (estimate.js); submit to /api/v1/generate or
// /process with upload progress; the result panel (panel.js) and the jobs rail (rail.js).
// On a job's own page only job-page.js runs. ES modules, no dependencies. The page data's
// `prefill` (apps/dashboard/prefill.py) opens it with a prompt, a model and a gallery asset.
import { apiError, el } from "./dom.js";
import { Estimator } from "./estimate.js";
import { buildFields, rangeText } from "./fields.js";
import { assetsFor, durations, filesFor, useAsset } from "./inputs.js";
import { watchJobPage } from "./job-page.js";
import { Panel } from "./panel.js";
import { Rail } from "./rail.js";
import { send } from "./send.js";

// Input role -> the API's multipart field, and back (for errors).
var INPUT_FIELD = { image: "source_file", video: "source_file", audio: "audio_file", end_image: "end_image_file" };
// A gallery asset goes by id in the matching `_asset` field.
var ASSET_FIELD = { image: "source_asset", video: "source_asset", audio: "audio_asset", end_image: "end_image_asset" };
var FIELD_FOR_API = {
  source_file: null, audio_file: "audio", end_image_file: "end_image",
  source_asset: null, audio_asset: "audio", end_image_asset: "end_image",
};

function studio(DATA, form) {
  var PREFILL = DATA.prefill || {};
  var state = { tab: null, operation: PREFILL.operation || null, model: null, fields: {}, prompt: PREFILL.prompt || "" };
  var wantedModel = PREFILL.model || null; // selected once, on the tab the server chose
  if (PREFILL.source) useAsset(PREFILL.source);
  var modelSelect = document.getElementById("f-model");
  var operationRow = document.getElementById("operation-row");
  var operationSelect = document.getElementById("f-operation");
  var fieldsBox = document.getElementById("fields");
  var infoBox = document.getElementById("model-info");
  var formError = document.getElementById("form-error");
  var generateButton = document.getElementById("generate");
  var sendProgress = document.getElementById("send-progress");
  var uploadNote = document.getElementById("upload-note");
  var estimator = Estimator(document.getElementById("estimate"), document.getElementById("balance"));
  var rail = Rail(document.getElementById("jobs-rail"), form.dataset.railUrl, pick);
  var panel = Panel(DATA, function () { rail.refresh(); });

  function pick(jobId) {
    rail.select(jobId);
    panel.attach(jobId);
  }

  function currentTab() {
    return DATA.tabs.filter(function (t) { return t.key === state.tab; })[0];
  }
  function currentOperation() {
    return DATA.operations.filter(function (o) { return o.operation === state.operation; })[0];
  }
  function currentMethod() {
    var tab = currentTab();
    return tab.kind === "process" ? currentOperation().method : tab.key;
  }
  function modelsFor(method) {
    var models = (DATA.models[method] || []).slice();
    // Available first (stable), so the default is one that can run here.
    return models.filter(function (m) { return m.available; }).concat(models.filter(function (m) { return !m.available; }));
  }

  // --- errors next to fields ---------------------------------------------------------

  function slot(name) { return form.querySelector('[data-error-for="' + name + '"]'); }

  function clearError(name) {
    var s = slot(name);
    if (!s) return;
    s.textContent = "";
    var wrapper = s.closest(".field");
    if (wrapper) wrapper.classList.remove("has-error");
  }

  function clearErrors() {
    form.querySelectorAll(".field-error").forEach(function (p) { p.textContent = ""; });
    form.querySelectorAll(".field.has-error").forEach(function (f) { f.classList.remove("has-error"); });
    formError.hidden = true;
    formError.textContent = "";
  }

  function problemField(name) {
    if (!name) return null;
    var base = String(name).split(/[.[]/)[0];
    if (base in FIELD_FOR_API) {
      base = FIELD_FOR_API[base] || (state.fields.video ? "video" : state.fields.audio && !state.fields.image ? "audio" : "image");
    }
    if (base === "audio_duration") base = "audio";
    if (base === "video_duration") base = "video";
    return slot(base) ? base : null;
  }

  function showFieldError(name, message) {
    var s = slot(name);
    if (!s) return false;
    if (s.textContent.indexOf(message) < 0) s.textContent = s.textContent ? s.textContent + " " + message : message;
    var wrapper = s.closest(".field");
    if (wrapper) wrapper.classList.add("has-error");
    return true;
  }

  // Each message once: next to its field when it has one; the banner says what is left
  // (or, when everything sits next to a field, only that something needs fixing).
  function showError(err) {
    clearErrors();
    var leftover = [];
    var placed = 0;
    (err.problems || []).forEach(function (p) {
      var name = problemField(p.field);
      if (name && showFieldError(name, p.message)) placed++;
      else if (leftover.indexOf(p.message) < 0) leftover.push(p.message);
    });
    var single = problemField(err.details && err.details.field);
    if (single && !(err.problems || []).length && showFieldError(single, err.message)) placed++;
    if (placed && !leftover.length) {
      formError.appendChild(el("strong", { text: placed === 1 ? "Please fix the marked field." : "Please fix the " + placed + " marked fields." }));
    } else if (leftover.length === 1 && !placed) {
      formError.appendChild(el("strong", { text: leftover[0] }));
    } else {
      formError.appendChild(el("strong", { text: err.message }));
      var rest = leftover.filter(function (m) { return m !== err.message; });
      if (rest.length) formError.appendChild(el("ul", {}, rest.map(function (m) { return el("li", { text: m }); })));
    }
    formError.hidden = false;
  }

  // --- the model and its fields --------------------------------------------------------

  function renderInfo(model) {
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

  function fileContext(model) {
    return {
      model: model,
      maxBytes: DATA.upload.max_bytes,
      maxLabel: DATA.upload.label,
      clearError: clearError,
      showError: showFieldError,
      changed: scheduleEstimate,
    };
  }

  function chooseModel() {
    var model = modelsFor(currentMethod()).filter(function (m) { return m.id === modelSelect.value; })[0];
    state.model = model || null;
    clearErrors();
    if (!model) {
      infoBox.textContent = "No model does this yet.";
      fieldsBox.innerHTML = "";
      generateButton.disabled = true;
      return;
    }
    renderInfo(model);
    state.fields = buildFields(model, {
      box: fieldsBox,
      options: DATA.options,
      promptMax: DATA.prompt_max,
      keptPrompt: state.prompt,
      promptChanged: function (v) { state.prompt = v; },
      processSettings: currentTab().kind === "process" ? currentOperation().settings : null,
      uploadNote: uploadNote,
      fileContext: fileContext,
      changed: scheduleEstimate,
    });
    generateButton.disabled = !model.available;
    generateButton.title = model.available ? "" : model.unavailable_reason;
    // A kept gallery asset this model cannot take says so at once.
    Object.keys(state.fields).forEach(function (name) {
      var field = state.fields[name];
      var problem = field.file && field.check ? field.check() : null;
      if (problem) showFieldError(name, problem);
    });
    scheduleEstimate();
  }

  function fillModels() {
    var models = modelsFor(currentMethod());
    var previous = modelSelect.value;
    modelSelect.innerHTML = "";
    models.forEach(function (m) {
      var label = m.name + " — " + m.quality + " · " + ((m.pricing && m.pricing.summary) || "") + (m.available ? "" : " (unavailable)");
      modelSelect.appendChild(el("option", { value: m.id, text: label }));
    });
    var preferred = currentTab().kind === "process" ? currentOperation().default_model : null;
    var wanted = wantedModel;
    wantedModel = null;
    var first = models.filter(function (m) { return m.id === wanted; })[0] ||
      models.filter(function (m) { return m.id === preferred && m.available; })[0] ||
      models.filter(function (m) { return m.id === previous; })[0] || models[0];
    if (first) modelSelect.value = first.id;
    chooseModel();
  }

  function selectTab(key) {
    state.tab = key;
    document.querySelectorAll(".tab").forEach(function (b) {
      b.setAttribute("aria-selected", b.dataset.tab === key ? "true" : "false");
    });
    var tab = currentTab();
    operationRow.hidden = tab.kind !== "process";
    generateButton.textContent = tab.kind === "process" ? "Process" : "Generate";
    if (tab.kind === "process" && !state.operation) state.operation = DATA.operations[0].operation;
    var url = new URL(window.location.href);
    url.searchParams.set("tab", key);
    window.history.replaceState(null, "", url);
    fillModels();
  }

  // --- the request ---------------------------------------------------------------------

  // Field values in the catalogue's names (what the estimate and /generate take).
  function values() {
    var out = {};
    Object.keys(state.fields).forEach(function (name) {
      if (state.fields[name].file) return;
      var v = state.fields[name].get();
      if (v !== undefined) out[name] = v;
    });
    return out;
  }

  function estimateBody() {
    if (!state.model) return null;
    var body = values();
    body.method = currentMethod();
    body.model = state.model.id;
    var chosen = filesFor(state.model);
    Object.keys(chosen).forEach(function (role) {
      body[role] = "upload";
      if (durations[role] !== undefined) body[role + "_duration"] = durations[role];
    });
    var kept = assetsFor(state.model);
    Object.keys(kept).forEach(function (role) {
      body[role] = "asset";
      if (durations[role] !== undefined) body[role + "_duration"] = durations[role];
    });
    return body;
  }

  function scheduleEstimate() {
    if (state.model) estimator.schedule(estimateBody);
  }

  // Problems the fields find themselves, shown at once: nothing is sent while any remain.
  function localProblems() {
    var found = 0;
    Object.keys(state.fields).forEach(function (name) {
      var problem = state.fields[name].check ? state.fields[name].check() : null;
      clearError(name);
      if (problem) {
        showFieldError(name, problem);
        found++;
      }
    });
    return found;
  }

  function submitBody() {
    var body = new FormData();
    var tab = currentTab();
    var v = values();
    body.append("model", state.model.id);
    if (tab.kind === "process") {
      var op = currentOperation();
      var settings = {};
      Object.keys(v).forEach(function (name) {
        if (!(name in op.settings)) return;
        var value = v[name];
        var isNumber = DATA.options[name] && DATA.options[name].min !== undefined;
        settings[op.settings[name]] = isNumber && value !== "" && !isNaN(Number(value)) ? Number(value) : value;
      });
      body.append("operation", op.operation);
      body.append("settings", JSON.stringify(settings));
    } else {
      body.append("method", tab.key);
      Object.keys(v).forEach(function (name) {
        var value = v[name];
        body.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
      });
    }
    var chosen = filesFor(state.model);
    Object.keys(chosen).forEach(function (role) {
      body.append(INPUT_FIELD[role], chosen[role], chosen[role].name);
    });
    var kept = assetsFor(state.model);
    Object.keys(kept).forEach(function (role) {
      body.append(ASSET_FIELD[role], kept[role].id);
    });
    return { body: body, hasFiles: Object.keys(chosen).length > 0 };
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!state.model || !state.model.available) return;
    clearErrors();
    if (localProblems()) {
      formError.appendChild(el("strong", { text: "Please fix the marked field; nothing was sent." }));
      formError.hidden = false;
      return;
    }
    var url = currentTab().kind === "process" ? "/api/v1/process" : "/api/v1/generate";
    generateButton.disabled = true;
    var original = generateButton.textContent;
    generateButton.textContent = "Sending…";
    send(url, submitBody(), sendProgress).then(function (r) {
      generateButton.disabled = false;
      generateButton.textContent = original;
      if (!r.ok || !r.body || !r.body.id) {
        showError(apiError(r.status, r.body));
        return;
      }
      rail.select(r.body.id);
      panel.show(r.body);
      rail.refresh();
    });
  });

  // --- wiring ----------------------------------------------------------------------------

  DATA.operations.forEach(function (op) {
    operationSelect.appendChild(el("option", { value: op.operation, text: op.operation + " — " + op.label }));
  });
  if (state.operation) operationSelect.value = state.operation;
  operationSelect.addEventListener("change", function () {
    state.operation = operationSelect.value;
    fillModels();
  });
  modelSelect.addEventListener("change", chooseModel);
  document.querySelectorAll(".tab").forEach(function (b) {
    b.addEventListener("click", function () { selectTab(b.dataset.tab); });
  });
  fieldsBox.addEventListener("input", scheduleEstimate);
  fieldsBox.addEventListener("change", scheduleEstimate);
  // Numbers and the prompt say what is wrong while they are typed (not on blur, which
  // would move the Generate button away from under the pointer).
  fieldsBox.addEventListener("input", function (e) {
    var wrapper = e.target.closest && e.target.closest(".field");
    var name = wrapper && wrapper.dataset.field;
    var field = name && state.fields[name];
    if (!field || !field.check || field.file) return;
    var problem = field.check();
    clearError(name);
    if (problem) showFieldError(name, problem);
  });

  selectTab(form.dataset.initialTab || DATA.tabs[0].key);
  form.dataset.ready = "1"; // for people's scripts and the browser tests: wired up

  // The job to show: the one in the URL or last shown here, else the newest running one.
  var again = panel.remembered() || rail.firstActive();
  if (again) {
    rail.select(again);
    panel.attach(again, rail.firstActive());
  }
  // Back to this page from the browser's cache: pick up where the job is now.
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) {
      rail.refresh();
      panel.resume();
    }
  });
}

var dataEl = document.getElementById("studio-data");
var DATA = dataEl ? JSON.parse(dataEl.textContent) : null;
var watch = document.getElementById("job-watch");
if (DATA && watch) watchJobPage(watch, DATA);
var form = document.getElementById("studio-form");
if (DATA && form) studio(DATA, form);
