// The Studio: a model picker that shows only the fields the chosen model takes, a live
// price (POST /api/v1/estimate-cost, debounced), submit to /api/v1/generate or /process
// (multipart, with upload progress), then a progress bar polling GET /api/v1/tasks/{id}
// every second, a player, download, save to gallery and cancel. Also keeps the progress
// bar of a job detail page moving. Vanilla JS, no dependencies.
(function () {
  "use strict";

  var dataEl = document.getElementById("studio-data");
  if (!dataEl) return;
  var DATA = JSON.parse(dataEl.textContent);
  var TERMINAL = DATA.terminal || ["completed", "failed", "cancelled", "rejected"];
  var POLL_MS = 1000;
  var ESTIMATE_DEBOUNCE_MS = 350;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function el(tag, attrs, children) {
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

  // The API's error envelope as {message, problems}; never blank.
  function apiError(status, body) {
    var error = body && body.error;
    if (error && error.message) {
      var details = error.details || {};
      return { message: error.message, code: error.code, problems: details.problems || [], details: details };
    }
    return { message: "The request failed (HTTP " + status + "). Please try again.", problems: [], details: {} };
  }

  function requestJSON(method, url, body) {
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

  // --- job detail page: keep the progress moving, reload when the job ends -------------

  var watch = document.getElementById("job-watch");
  if (watch) {
    var timer = setInterval(function () {
      requestJSON("GET", watch.dataset.endpoint).then(function (r) {
        if (!r.ok) return;
        document.getElementById("job-progress").value = r.body.progress;
        document.getElementById("job-stage").textContent = (r.body.stage || r.body.status) + " — " + r.body.progress + "%";
        if (TERMINAL.indexOf(r.body.status) >= 0) {
          clearInterval(timer);
          window.location.reload();
        }
      });
    }, POLL_MS);
    return;
  }

  var form = document.getElementById("studio-form");
  if (!form) return;

  // --- field catalogue -----------------------------------------------------------------

  var LABELS = {
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
    speed: "Speed (×)",
    mute: "Mute",
    fit: "Fit",
    output_format: "Output format",
    optimize_level: "Compression",
    target_size_mb: "Target size (MB)",
    image: "Image",
    end_image: "End image",
    audio: "Audio",
    video: "Video",
    storyboard: "Scenes",
  };
  var INTEGER_OPTIONS = { seed: true };
  var INPUT_ACCEPT = { image: "image/*", end_image: "image/*", audio: "audio/*", video: "video/*" };
  // Input role -> the API's multipart field.
  var INPUT_FIELD = { image: "source_file", video: "source_file", audio: "audio_file", end_image: "end_image_file" };
  var FIELD_FOR_API = { source_file: null, audio_file: "audio", end_image_file: "end_image" };

  var state = {
    tab: null,
    operation: null,
    model: null,
    fields: {}, // name -> {get(): value | undefined, kind}
    files: {}, // role -> File
    durations: {}, // role -> seconds, probed client-side (for the estimate only)
    job: null,
    pollTimer: null,
    estimateTimer: null,
    estimateSeq: 0,
  };

  var modelSelect = document.getElementById("f-model");
  var operationRow = document.getElementById("operation-row");
  var operationSelect = document.getElementById("f-operation");
  var fieldsBox = document.getElementById("fields");
  var infoBox = document.getElementById("model-info");
  var estimateBox = document.getElementById("estimate");
  var formError = document.getElementById("form-error");
  var generateButton = document.getElementById("generate");
  var sendProgress = document.getElementById("send-progress");
  var uploadNote = document.getElementById("upload-note");
  var maxBytes = DATA.upload.max_bytes;

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

  // --- errors next to fields -------------------------------------------------------------

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
    return form.querySelector('[data-error-for="' + base + '"]') ? base : null;
  }

  function showFieldError(name, message) {
    var slot = form.querySelector('[data-error-for="' + name + '"]');
    if (!slot) return false;
    slot.textContent = slot.textContent ? slot.textContent + " " + message : message;
    var wrapper = slot.closest(".field");
    if (wrapper) wrapper.classList.add("has-error");
    return true;
  }

  function showError(err) {
    clearErrors();
    var leftover = [];
    (err.problems || []).forEach(function (p) {
      var name = problemField(p.field);
      if (!(name && showFieldError(name, p.message))) leftover.push(p.message);
    });
    var single = problemField(err.details && err.details.field);
    if (single && !(err.problems || []).length) showFieldError(single, err.message);
    formError.appendChild(el("strong", { text: err.message }));
    var onlyRepeatsMessage = leftover.length === 1 && leftover[0] === err.message;
    if (leftover.length && !onlyRepeatsMessage) {
      formError.appendChild(el("ul", {}, leftover.map(function (m) { return el("li", { text: m }); })));
    }
    formError.hidden = false;
  }

  // --- building the form for a model ------------------------------------------------------

  function fieldWrap(name, label, control, hint) {
    var wrapper = el("div", { className: "field", "data-field": name });
    if (control.type === "checkbox") {
      wrapper.appendChild(el("label", { className: "check", for: control.id }, [control, " " + label]));
    } else {
      wrapper.appendChild(el("label", { for: control.id, text: label }));
      wrapper.appendChild(control);
    }
    if (hint) wrapper.appendChild(el("p", { className: "hint muted small", text: hint }));
    wrapper.appendChild(el("p", { className: "field-error", "data-error-for": name, role: "alert" }));
    return wrapper;
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

  function add(name, label, control, hint, read) {
    fieldsBox.appendChild(fieldWrap(name, label, control, hint));
    state.fields[name] = {
      control: control,
      get: read || function () {
        if (control.type === "checkbox") return control.checked;
        var v = control.value.trim();
        return v === "" ? undefined : v;
      },
    };
  }

  function rangeText(r, unit) {
    if (!r) return "";
    if (r.choices) return r.choices.join(" or ") + (unit || "");
    return r.min === r.max ? r.min + (unit || "") : r.min + "–" + r.max + (unit || "");
  }

  function addInput(role, required) {
    var id = "f-" + role;
    var input = el("input", { id: id, type: "file", accept: INPUT_ACCEPT[role] });
    var label = LABELS[role] + (required ? "" : " (optional)");
    add(role, label, input, null, function () { return state.files[role]; });
    input.addEventListener("change", function () {
      var file = input.files[0];
      var slot = form.querySelector('[data-error-for="' + role + '"]');
      slot.textContent = "";
      slot.closest(".field").classList.remove("has-error");
      delete state.files[role];
      delete state.durations[role];
      if (!file) return scheduleEstimate();
      if (file.size > maxBytes) {
        input.value = "";
        showFieldError(role, file.name + " is larger than the limit of " + DATA.upload.label + " per file; it was not sent.");
        return scheduleEstimate();
      }
      state.files[role] = file;
      if (role === "audio" || role === "video") probeDuration(role, file);
      scheduleEstimate();
    });
  }

  // The length of a chosen audio or video file, read by the browser, so that a model whose
  // duration follows its input can be priced before anything is uploaded.
  function probeDuration(role, file) {
    var media = document.createElement(role === "audio" ? "audio" : "video");
    var url = URL.createObjectURL(file);
    media.preload = "metadata";
    media.onloadedmetadata = function () {
      if (isFinite(media.duration) && state.files[role] === file) {
        state.durations[role] = Math.round(media.duration * 100) / 100;
        scheduleEstimate();
      }
      URL.revokeObjectURL(url);
    };
    media.onerror = function () { URL.revokeObjectURL(url); };
    media.src = url;
  }

  function addStoryboard() {
    var list = el("ol", { className: "scenes", id: "f-storyboard" });
    function addScene(prompt, seconds) {
      var text = el("input", { type: "text", placeholder: "What happens in this shot", "aria-label": "Scene prompt", value: prompt || null });
      var dur = numberInput(null, { min: 1 }, seconds || 5, 1);
      dur.setAttribute("aria-label", "Scene seconds");
      var remove = el("button", { type: "button", className: "link", text: "Remove" });
      var item = el("li", { className: "scene" }, [text, dur, el("span", { className: "muted small", text: "s" }), remove]);
      remove.addEventListener("click", function () {
        if (list.children.length > 1) { item.remove(); scheduleEstimate(); }
      });
      list.appendChild(item);
    }
    addScene("", 5);
    addScene("", 5);
    var more = el("button", { type: "button", className: "secondary", text: "Add scene" });
    more.addEventListener("click", function () { addScene("", 5); scheduleEstimate(); });
    var box = el("div", { id: "storyboard-box" }, [list, more]);
    box.id = "f-storyboard-box";
    var wrapper = el("div", { className: "field", "data-field": "storyboard" }, [
      el("span", { className: "label", text: LABELS.storyboard }),
      box,
      el("p", { className: "hint muted small", text: "One shot per scene; the video's length is the sum of the scenes." }),
      el("p", { className: "field-error", "data-error-for": "storyboard", role: "alert" }),
    ]);
    fieldsBox.appendChild(wrapper);
    state.fields.storyboard = {
      control: list,
      get: function () {
        var scenes = [];
        list.querySelectorAll("li").forEach(function (li) {
          var inputs = li.querySelectorAll("input");
          scenes.push({ prompt: inputs[0].value.trim(), duration: parseInt(inputs[1].value, 10) || 0 });
        });
        return scenes;
      },
    };
  }

  function addOption(name) {
    var allowed = DATA.options[name];
    var id = "f-" + name;
    if (Array.isArray(allowed) && allowed.length === 2 && typeof allowed[0] === "boolean") {
      add(name, LABELS[name] || name, el("input", { id: id, type: "checkbox" }), null, function () {
        var box = document.getElementById(id);
        return box.checked ? true : undefined;
      });
    } else if (Array.isArray(allowed)) {
      add(name, LABELS[name] || name, select(id, allowed, null, "Default"));
    } else if (allowed && allowed.min !== undefined) {
      add(name, LABELS[name] || name, numberInput(id, allowed, null, INTEGER_OPTIONS[name] ? 1 : "any"), rangeText(allowed));
    } else {
      add(name, LABELS[name] || name, el("input", { id: id, type: "text" }));
    }
  }

  function buildFields(model) {
    fieldsBox.innerHTML = "";
    state.fields = {};
    state.files = {};
    state.durations = {};
    var tab = currentTab();
    // On the Process tab only what /process settings can carry is shown.
    var processable = tab.kind === "process" ? currentOperation().settings : null;
    function shown(name) { return !processable || name in processable; }

    model.inputs.required.forEach(function (role) { addInput(role, true); });
    model.inputs.optional.forEach(function (role) { addInput(role, false); });
    // The tier's per-file limit sits right under the file inputs, before a file is chosen.
    uploadNote.hidden = !(model.inputs.required.length || model.inputs.optional.length);
    if (!uploadNote.hidden) fieldsBox.appendChild(uploadNote);

    if (model.prompt !== "none" && !processable) {
      var prompt = el("textarea", { id: "f-prompt", rows: 3, placeholder: "Describe the shot: subject, action, setting, light, camera" });
      add("prompt", LABELS.prompt + (model.prompt === "required" ? "" : " (optional)"), prompt);
    }
    if (model.storyboard && !processable) addStoryboard();
    if (model.durations && !model.duration_from && !model.storyboard && shown("duration")) {
      var d = model.durations;
      var control = d.choices ? select("f-duration", d.choices, model.default_duration) : numberInput("f-duration", d, model.default_duration, 1);
      add("duration", LABELS.duration, control, rangeText(d, " s"));
    } else if (model.duration_from && !processable) {
      fieldsBox.appendChild(el("p", { className: "muted small", text: "The length follows the " + model.duration_from + " you give." }));
    }
    if (model.resolutions.length && shown("resolution")) {
      add("resolution", LABELS.resolution, select("f-resolution", model.resolutions, model.default_resolution, model.default_resolution ? null : "Keep"));
    }
    if (model.aspect_ratios.length && shown("aspect_ratio")) {
      add("aspect_ratio", LABELS.aspect_ratio, select("f-aspect_ratio", model.aspect_ratios, model.default_aspect_ratio, model.default_aspect_ratio ? null : "Keep"));
    }
    if (model.fps && shown("fps")) {
      add("fps", LABELS.fps, numberInput("f-fps", model.fps, model.default_fps, 1), rangeText(model.fps));
    }
    if (model.native_audio && shown("with_audio")) {
      var audio = el("input", { id: "f-with_audio", type: "checkbox" });
      audio.checked = !!model.default_with_audio;
      add("with_audio", LABELS.with_audio, audio);
    }
    model.options.forEach(function (name) { if (shown(name)) addOption(name); });
    layoutFields();
  }

  // Short controls side by side, long ones full width.
  function layoutFields() {
    fieldsBox.querySelectorAll(".field").forEach(function (f) {
      var wide = f.querySelector("textarea, input[type=file], .scenes, #f-storyboard");
      f.classList.toggle("wide", !!wide);
    });
  }

  function renderInfo(model) {
    infoBox.innerHTML = "";
    var badges = el("div", { className: "model-badges" }, [
      el("strong", { text: model.name }),
      el("span", { className: "badge quality-" + model.quality, text: model.quality }),
      el("span", { className: "badge", text: model.provider_name }),
      model.available
        ? el("span", { className: "badge status-completed", text: "available" })
        : el("span", { className: "badge status-failed", text: "unavailable" }),
    ]);
    infoBox.appendChild(badges);
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
    var p = model.processing_time_s;
    if (p) fact("Typical time", p.min + "–" + p.max + " s" + (p.per_output_second ? " per output second" : ""));
    infoBox.appendChild(facts);
  }

  function fillModels() {
    var method = currentMethod();
    var models = modelsFor(method);
    modelSelect.innerHTML = "";
    models.forEach(function (m) {
      var label = m.name + " — " + m.quality + " · " + ((m.pricing && m.pricing.summary) || "") + (m.available ? "" : " (unavailable)");
      modelSelect.appendChild(el("option", { value: m.id, text: label }));
    });
    var preferred = currentTab().kind === "process" ? currentOperation().default_model : null;
    var first = models.filter(function (m) { return m.id === preferred && m.available; })[0] || models[0];
    if (first) modelSelect.value = first.id;
    chooseModel();
  }

  function chooseModel() {
    var models = modelsFor(currentMethod());
    var model = models.filter(function (m) { return m.id === modelSelect.value; })[0];
    state.model = model || null;
    clearErrors();
    if (!model) {
      infoBox.textContent = "No model does this yet.";
      fieldsBox.innerHTML = "";
      generateButton.disabled = true;
      return;
    }
    renderInfo(model);
    buildFields(model);
    generateButton.disabled = !model.available;
    generateButton.title = model.available ? "" : model.unavailable_reason;
    scheduleEstimate();
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

  // --- the request --------------------------------------------------------------------------

  // Field values in the catalogue's names (what the estimate and /generate take).
  function values() {
    var out = {};
    Object.keys(state.fields).forEach(function (name) {
      if (INPUT_FIELD[name]) return;
      var v = state.fields[name].get();
      if (v !== undefined) out[name] = v;
    });
    return out;
  }

  function estimateBody() {
    var body = values();
    body.method = currentMethod();
    body.model = state.model.id;
    Object.keys(state.files).forEach(function (role) { body[role] = "upload"; });
    Object.keys(state.durations).forEach(function (role) { body[role + "_duration"] = state.durations[role]; });
    return body;
  }

  function scheduleEstimate() {
    clearTimeout(state.estimateTimer);
    if (!state.model) return;
    state.estimateTimer = setTimeout(runEstimate, ESTIMATE_DEBOUNCE_MS);
  }

  function runEstimate() {
    var seq = ++state.estimateSeq;
    estimateBox.classList.add("busy");
    requestJSON("POST", "/api/v1/estimate-cost", estimateBody()).then(function (r) {
      if (seq !== state.estimateSeq) return; // an older answer
      estimateBox.classList.remove("busy");
      estimateBox.innerHTML = "";
      if (!r.ok) {
        var err = apiError(r.status, r.body);
        estimateBox.appendChild(el("span", { className: "error-text", "data-testid": "estimate-error", text: "Can't price this yet: " + err.message }));
        return;
      }
      var e = r.body;
      var available = parseInt(document.getElementById("balance").dataset.available, 10);
      estimateBox.appendChild(el("span", { className: "price" }, [
        el("strong", { id: "estimate-credits", text: String(e.estimated_credits) }),
        " credits",
      ]));
      estimateBox.appendChild(el("span", { className: "muted", text: " · about " + e.processing_time_estimate_s + " s · " + e.confidence + " confidence" }));
      if (e.estimated_credits > available) {
        estimateBox.appendChild(el("p", { className: "error-text small", text: "More than the " + available + " credits available." }));
      }
    });
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
    Object.keys(state.files).forEach(function (role) {
      body.append(INPUT_FIELD[role], state.files[role], state.files[role].name);
    });
    return body;
  }

  // XMLHttpRequest rather than fetch() here: only it reports upload progress.
  function send(url, body) {
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("X-CSRFToken", csrfToken());
      xhr.setRequestHeader("Accept", "application/json");
      var hasFiles = Object.keys(state.files).length > 0;
      if (hasFiles) {
        sendProgress.hidden = false;
        sendProgress.value = 0;
        xhr.upload.addEventListener("progress", function (e) {
          if (e.lengthComputable) sendProgress.value = Math.round((e.loaded * 100) / e.total);
        });
      }
      xhr.onload = function () {
        sendProgress.hidden = true;
        var json = null;
        try { json = JSON.parse(xhr.responseText); } catch (err) { json = null; }
        resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, body: json });
      };
      xhr.onerror = function () {
        sendProgress.hidden = true;
        resolve({ ok: false, status: 0, body: { error: { message: "The request was interrupted (network error, or the server refused the upload)." } } });
      };
      xhr.send(body);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!state.model || !state.model.available) return;
    clearErrors();
    var url = currentTab().kind === "process" ? "/api/v1/process" : "/api/v1/generate";
    generateButton.disabled = true;
    var original = generateButton.textContent;
    generateButton.textContent = "Sending…";
    send(url, submitBody()).then(function (r) {
      generateButton.disabled = false;
      generateButton.textContent = original;
      if (!r.ok || !r.body || !r.body.id) {
        showError(apiError(r.status, r.body));
        return;
      }
      watchJob(r.body);
      refreshJobs();
    });
  });

  // --- the job panel -------------------------------------------------------------------

  var panel = {
    empty: document.getElementById("job-empty"),
    live: document.getElementById("job-live"),
    link: document.getElementById("job-link"),
    status: document.getElementById("job-status"),
    progress: document.getElementById("job-progress"),
    stage: document.getElementById("job-stage"),
    error: document.getElementById("job-error"),
    result: document.getElementById("job-result"),
    video: document.getElementById("job-video"),
    download: document.getElementById("job-download"),
    save: document.getElementById("job-save"),
    saveStatus: document.getElementById("job-save-status"),
    cancel: document.getElementById("job-cancel"),
  };

  function refreshJobs() {
    document.body.dispatchEvent(new Event("jobs-changed"));
  }

  function renderJob(job) {
    state.job = job;
    var ended = TERMINAL.indexOf(job.status) >= 0;
    panel.empty.hidden = true;
    panel.live.hidden = false;
    panel.link.textContent = job.id;
    panel.link.href = "/jobs/" + job.id + "/";
    panel.status.textContent = job.status;
    panel.status.className = "badge status-" + job.status;
    panel.progress.value = job.status === "completed" ? 100 : job.progress;
    var ENDED_WORDS = {
      cancelled: "Cancelled — any credits held were released.",
      failed: "Failed — any credits held were released.",
      rejected: "Rejected by moderation — any credits held were released.",
    };
    panel.stage.textContent = ENDED_WORDS[job.status] ||
      (job.stage || job.status) + " — " + (job.status === "completed" ? 100 : job.progress) + "%";
    panel.cancel.hidden = ended;
    if (job.error) {
      panel.error.textContent = job.error.message + (job.error.retryable ? " You can try again." : "");
      panel.error.hidden = false;
    } else {
      panel.error.hidden = true;
    }
    if (job.status === "completed" && job.result) {
      if (panel.video.getAttribute("src") !== job.result.video_url) {
        if (job.result.thumbnail_url) panel.video.poster = job.result.thumbnail_url;
        panel.video.src = job.result.video_url;
      }
      panel.download.href = "/jobs/" + job.id + "/download/";
      panel.save.disabled = false;
      panel.saveStatus.textContent = "";
      panel.result.hidden = false;
    } else {
      panel.result.hidden = true;
    }
  }

  function stopPolling() {
    clearTimeout(state.pollTimer);
    state.pollTimer = null;
  }

  function poll(jobId) {
    requestJSON("GET", "/api/v1/tasks/" + encodeURIComponent(jobId)).then(function (r) {
      if (!state.job || state.job.id !== jobId) return; // another job took over the panel
      if (r.ok) {
        renderJob(r.body);
        if (TERMINAL.indexOf(r.body.status) >= 0) {
          stopPolling();
          refreshJobs();
          return;
        }
      } else if (r.status === 404) {
        panel.error.textContent = apiError(r.status, r.body).message;
        panel.error.hidden = false;
        return;
      }
      // A failed poll (network blip) is simply retried.
      state.pollTimer = setTimeout(function () { poll(jobId); }, POLL_MS);
    });
  }

  function watchJob(job) {
    stopPolling();
    panel.video.removeAttribute("src");
    panel.video.removeAttribute("poster");
    renderJob(job);
    if (TERMINAL.indexOf(job.status) < 0) {
      state.pollTimer = setTimeout(function () { poll(job.id); }, POLL_MS);
    }
  }

  panel.cancel.addEventListener("click", function () {
    if (!state.job) return;
    var jobId = state.job.id;
    panel.cancel.disabled = true;
    requestJSON("DELETE", "/api/v1/tasks/" + encodeURIComponent(jobId)).then(function (r) {
      panel.cancel.disabled = false;
      if (r.ok) {
        stopPolling();
        renderJob(r.body);
        refreshJobs();
      } else {
        panel.error.textContent = apiError(r.status, r.body).message;
        panel.error.hidden = false;
      }
    });
  });

  panel.save.addEventListener("click", function () {
    if (!state.job || !state.job.result) return;
    panel.save.disabled = true;
    requestJSON("POST", "/api/v1/gallery", { asset: state.job.result.asset }).then(function (r) {
      if (r.ok) {
        panel.saveStatus.innerHTML = "";
        panel.saveStatus.appendChild(document.createTextNode("Saved. "));
        panel.saveStatus.appendChild(el("a", { href: "/gallery/" + r.body.id + "/", text: "Open in the gallery" }));
      } else {
        panel.save.disabled = false;
        panel.saveStatus.textContent = apiError(r.status, r.body).message;
        panel.saveStatus.className = "error-text small";
      }
    });
  });

  // --- wiring ------------------------------------------------------------------------------

  DATA.operations.forEach(function (op) {
    operationSelect.appendChild(el("option", { value: op.operation, text: op.operation + " — " + op.label }));
  });
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

  selectTab(form.dataset.initialTab || DATA.tabs[0].key);
})();
