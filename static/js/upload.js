// Gallery upload widget: refuses files over the tier's limit before sending anything,
// streams the file with XMLHttpRequest (upload progress events) to POST /api/v1/uploads,
// then saves the new asset to the gallery. No dependencies.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) return;
  var input = document.getElementById("upload-file");
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var button = document.getElementById("upload-button");
  var maxBytes = parseInt(form.dataset.maxBytes, 10);
  var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error-text" : "muted";
  }

  function errorMessage(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) return body.error.message;
    } catch (e) { /* not JSON */ }
    return "Upload failed (HTTP " + xhr.status + ").";
  }

  function tooBig(file) {
    return file.size > maxBytes;
  }

  input.addEventListener("change", function () {
    var file = input.files[0];
    if (file && tooBig(file)) {
      say(file.name + " is larger than the limit of " + form.dataset.maxLabel + " per file.", true);
      button.disabled = true;
    } else {
      say(file ? file.name + " ready to upload." : "", false);
      button.disabled = false;
    }
  });

  function save(assetId) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.saveEndpoint);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.onload = function () {
      if (xhr.status === 201 || xhr.status === 200) {
        say("Uploaded and saved to the gallery.", false);
        // To the view that shows it (the default view lists job results only).
        if (form.dataset.after) window.location.assign(form.dataset.after);
        else window.location.reload();
      } else {
        say(errorMessage(xhr), true);
      }
    };
    xhr.send(JSON.stringify({ asset: assetId }));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = input.files[0];
    if (!file) { say("Choose a file first.", true); return; }
    if (tooBig(file)) {
      say(file.name + " is larger than the limit of " + form.dataset.maxLabel + " per file.", true);
      return;
    }
    var data = new FormData();
    data.append("file", file);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.endpoint);
    xhr.setRequestHeader("X-CSRFToken", token);
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded * 100) / e.total);
        say("Uploading… " + bar.value + "%", false);
      }
    });
    xhr.onload = function () {
      button.disabled = false;
      if (xhr.status === 201) {
        bar.value = 100;
        save(JSON.parse(xhr.responseText).id);
      } else {
        bar.hidden = true;
        say(errorMessage(xhr), true);
      }
    };
    xhr.onerror = function () {
      button.disabled = false;
      bar.hidden = true;
      say("The upload was interrupted (network error or refused by the server).", true);
    };
    xhr.send(data);
  });
})();
