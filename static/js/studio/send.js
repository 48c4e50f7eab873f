// Posting the Studio's form: multipart to /api/v1/generate or /process with the session,
// the upload's progress in `sendProgress` (a <progress>). Never throws; resolves to
// {ok, status, body}.
import { csrfToken } from "./dom.js";

// XMLHttpRequest rather than fetch() here: only it reports upload progress.
export function send(url, request, sendProgress) {
  return new Promise(function (resolve) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    if (request.hasFiles) {
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
    xhr.send(request.body);
  });
}
