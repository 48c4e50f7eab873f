// The file inputs: each is a drop zone with a preview of the chosen image, video or audio.
// Files live in `files` (role -> File) for the whole visit, so changing the model or the
// tab keeps them: a model that takes the same role shows the same file again. An asset of
// the gallery (the Studio opened by "Remix") fills a role the same way, in `assets`, until a
// file replaces it or it is removed; it is sent by id, not uploaded.
import { el } from "./dom.js";

export var LABELS = { image: "Image", end_image: "End image", audio: "Audio", video: "Video" };
var KIND = { image: "image", end_image: "image", audio: "audio", video: "video" };
// Catalogue format name -> what a browser reports for it (MIME types, file extensions).
var FORMATS = {
  jpeg: { mime: ["image/jpeg"], ext: ["jpg", "jpeg"], label: "JPEG" },
  png: { mime: ["image/png"], ext: ["png"], label: "PNG" },
  webp: { mime: ["image/webp"], ext: ["webp"], label: "WebP" },
  mp4: { mime: ["video/mp4"], ext: ["mp4", "m4v"], label: "MP4" },
  mov: { mime: ["video/quicktime"], ext: ["mov"], label: "MOV" },
  webm: { mime: ["video/webm"], ext: ["webm"], label: "WebM" },
  avi: { mime: ["video/x-msvideo", "video/avi"], ext: ["avi"], label: "AVI" },
  mp3: { mime: ["audio/mpeg", "audio/mp3"], ext: ["mp3"], label: "MP3" },
  wav: { mime: ["audio/wav", "audio/x-wav", "audio/wave"], ext: ["wav"], label: "WAV" },
  m4a: { mime: ["audio/mp4", "audio/x-m4a", "audio/m4a"], ext: ["m4a"], label: "M4A" },
};

export var files = {}; // role -> File, kept across model and tab changes
export var assets = {}; // role -> a gallery asset {id, kind, name, url, format, duration_s, …}
export var durations = {}; // role -> seconds, probed by the browser (for the estimate only)

function extension(name) {
  var dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
}

function formatsFor(model, role) {
  var limits = model.limits || {};
  return limits[KIND[role] + "_formats"] || [];
}

function listText(words) {
  if (words.length <= 1) return words.join("");
  return words.slice(0, -1).join(", ") + " or " + words[words.length - 1];
}

// What a file looks like to us: "MP4 video (clip.mp4)".
export function describeFile(file) {
  var ext = extension(file.name);
  var kind = (file.type || "").split("/")[0];
  var found = Object.keys(FORMATS).filter(function (f) {
    return FORMATS[f].ext.indexOf(ext) >= 0 || FORMATS[f].mime.indexOf(file.type) >= 0;
  })[0];
  var what = found ? FORMATS[found].label + " " : (ext ? ext.toUpperCase() + " " : "");
  var noun = ["image", "video", "audio"].indexOf(kind) >= 0 ? (kind === "audio" ? "audio file" : kind) : "file";
  return what + noun + " (" + file.name + ")";
}

// null when the file fits the role for this model, else the sentence saying why not.
export function kindProblem(model, role, file) {
  var formats = formatsFor(model, role);
  var ext = extension(file.name);
  var ok = formats.some(function (f) {
    var known = FORMATS[f];
    return known && (known.ext.indexOf(ext) >= 0 || known.mime.indexOf(file.type) >= 0);
  });
  if (ok) return null;
  var accepted = formats.map(function (f) { return (FORMATS[f] || { label: f }).label; });
  return "Received " + describeFile(file) + ". The " + LABELS[role].toLowerCase() +
    " field takes " + listText(accepted) + (KIND[role] === "audio" ? " audio." : " " + KIND[role] + "s.");
}

// The same check for a gallery asset, from its stored format.
export function assetProblem(model, role, asset) {
  var formats = formatsFor(model, role);
  var format = String(asset.format || "").toLowerCase();
  if (!formats.length || !format) return null;
  var ok = formats.some(function (f) {
    return f === format || (FORMATS[f] && FORMATS[f].ext.indexOf(format) >= 0);
  });
  if (ok) return null;
  var accepted = formats.map(function (f) { return (FORMATS[f] || { label: f }).label; });
  return asset.name + " is " + format.toUpperCase() + "; the " + LABELS[role].toLowerCase() +
    " field takes " + listText(accepted) + " for this model. Choose a file instead.";
}

// A gallery asset as the input of its role (the Studio opened by "Remix").
export function useAsset(asset) {
  var role = asset.kind;
  if (!KIND[role]) return;
  assets[role] = asset;
  delete files[role];
  if (KIND[role] !== "image" && asset.duration_s) durations[role] = asset.duration_s;
  else delete durations[role];
}

function acceptAttr(model, role) {
  var out = [];
  formatsFor(model, role).forEach(function (f) {
    var known = FORMATS[f];
    if (!known) return;
    out = out.concat(known.mime, known.ext.map(function (e) { return "." + e; }));
  });
  return out.join(",") || KIND[role] + "/*";
}

function preview(role, file) {
  var url = URL.createObjectURL(file);
  var kind = KIND[role];
  var media;
  if (kind === "image") media = el("img", { src: url, alt: "Preview of " + file.name });
  else if (kind === "video") media = el("video", { src: url, controls: true, muted: true, playsinline: true, preload: "metadata" });
  else media = el("audio", { src: url, controls: true, preload: "metadata" });
  media.className = "preview-media";
  media.dataset.objectUrl = url;
  return el("figure", { className: "preview", "data-testid": "preview-" + role }, [
    media,
    el("figcaption", { className: "small muted", text: file.name + " · " + (file.size / 1e6).toFixed(1) + " MB" }),
  ]);
}

function assetPreview(role, asset) {
  var kind = KIND[role];
  var media;
  if (kind === "image") media = el("img", { src: asset.url, alt: "Preview of " + asset.name });
  else if (kind === "video") media = el("video", { src: asset.url, poster: asset.thumbnail, controls: true, muted: true, playsinline: true, preload: "metadata" });
  else media = el("audio", { src: asset.url, controls: true, preload: "metadata" });
  media.className = "preview-media";
  return el("figure", { className: "preview", "data-testid": "preview-" + role, "data-asset": asset.id }, [
    media,
    el("figcaption", { className: "small muted", text: asset.name + " · from your gallery" }),
  ]);
}

// The length of a chosen audio or video file, read by the browser, so that a model whose
// duration follows its input can be priced before anything is uploaded.
function probeDuration(role, file, changed) {
  var media = document.createElement(KIND[role] === "audio" ? "audio" : "video");
  var url = URL.createObjectURL(file);
  media.preload = "metadata";
  media.onloadedmetadata = function () {
    if (isFinite(media.duration) && files[role] === file) {
      durations[role] = Math.round(media.duration * 100) / 100;
      changed();
    }
    URL.revokeObjectURL(url);
  };
  media.onerror = function () { URL.revokeObjectURL(url); };
  media.src = url;
}

// One file field for `role`. `ctx` gives the model, the upload limit, an error reporter and
// the estimate trigger. Returns {wrapper, control}.
export function fileField(role, required, ctx) {
  var id = "f-" + role;
  var input = el("input", { id: id, type: "file", accept: acceptAttr(ctx.model, role), className: "file-input" });
  var label = LABELS[role] + (required ? "" : " (optional)");
  var shown = el("div", { className: "preview-slot" });
  var clear = el("button", { type: "button", className: "link small", text: "Remove", hidden: true });
  var zone = el("div", { className: "dropzone", "data-dropzone": role }, [
    el("p", { className: "small muted dropzone-hint", text: "Drop a file here or choose one" }),
    input,
    shown,
    clear,
  ]);

  function render() {
    shown.querySelectorAll("[data-object-url]").forEach(function (m) { URL.revokeObjectURL(m.dataset.objectUrl); });
    shown.innerHTML = "";
    var file = files[role];
    var asset = !file && assets[role];
    clear.hidden = !file && !asset;
    zone.classList.toggle("has-file", !!(file || asset));
    if (file) shown.appendChild(preview(role, file));
    else if (asset) shown.appendChild(assetPreview(role, asset));
  }

  function take(file) {
    ctx.clearError(role);
    if (!file) return;
    var problem = kindProblem(ctx.model, role, file);
    if (problem) {
      input.value = "";
      ctx.showError(role, problem);
      return;
    }
    if (file.size > ctx.maxBytes) {
      input.value = "";
      ctx.showError(role, file.name + " is larger than the limit of " + ctx.maxLabel + " per file; it was not sent.");
      return;
    }
    files[role] = file;
    delete assets[role]; // a chosen file replaces a gallery asset
    delete durations[role];
    if (KIND[role] !== "image") probeDuration(role, file, ctx.changed);
    render();
    ctx.changed();
  }

  input.addEventListener("change", function () {
    if (input.files[0]) take(input.files[0]);
  });
  clear.addEventListener("click", function () {
    delete files[role];
    delete assets[role];
    delete durations[role];
    input.value = "";
    render();
    ctx.changed();
  });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) {
      e.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    var dropped = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
    if (dropped) take(dropped);
  });

  render(); // a file kept from the previous model shows at once
  return {
    label: label,
    control: input,
    box: zone,
    read: function () { return files[role] || assets[role]; },
    // A chosen file was checked when it was taken; a gallery asset is checked here.
    check: function () { return !files[role] && assets[role] ? assetProblem(ctx.model, role, assets[role]) : null; },
  };
}

// The kept files this model takes, role -> File (what is sent and priced).
export function filesFor(model) {
  var out = {};
  model.inputs.required.concat(model.inputs.optional).forEach(function (role) {
    if (files[role]) out[role] = files[role];
  });
  return out;
}

// The gallery assets this model takes (and no file replaced), role -> asset (sent by id).
export function assetsFor(model) {
  var out = {};
  model.inputs.required.concat(model.inputs.optional).forEach(function (role) {
    if (assets[role] && !files[role]) out[role] = assets[role];
  });
  return out;
}
