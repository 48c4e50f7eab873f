// Plays a result in a <video>: an HLS master playlist (a signed /media-signed/hls/…/
// master.m3u8 link) natively where the browser has HLS (Safari, iOS), otherwise through
// the vendored hls.js (static/vendor/hls.js/), which is only loaded then. Any other URL
// is simply the video's src.
var players = new WeakMap();

export function isHls(url) {
  try {
    return new URL(url, window.location.href).pathname.endsWith(".m3u8");
  } catch (e) {
    return false;
  }
}

// Detaches whatever plays in `video` (an hls.js instance, or a src).
export function stopVideo(video) {
  var hls = players.get(video);
  if (hls) {
    hls.destroy();
    players.delete(video);
  }
  delete video.dataset.player;
  video.removeAttribute("src");
}

// Resolves to how it plays: "file", "native" or "hls.js".
export function playUrl(video, url) {
  stopVideo(video);
  if (!isHls(url)) {
    video.src = url;
    video.dataset.player = "file";
    return Promise.resolve("file");
  }
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = url;
    video.dataset.player = "native";
    return Promise.resolve("native");
  }
  return import("../vendor/hls.js/hls.light.min.mjs").then(function (module) {
    var Hls = module.default;
    if (!Hls.isSupported()) {
      video.src = url; // no Media Source Extensions either: let the browser try
      video.dataset.player = "native";
      return "native";
    }
    var hls = new Hls({ enableWorker: false });
    players.set(video, hls);
    hls.on(Hls.Events.ERROR, function (event, data) {
      if (data.fatal) video.dispatchEvent(new CustomEvent("hlserror", { detail: data.details }));
    });
    hls.loadSource(url);
    hls.attachMedia(video);
    video.dataset.player = "hls.js";
    return "hls.js";
  });
}

// Every <video data-hls="…"> on the page plays its playlist (the share and asset pages).
export function playPageVideos() {
  document.querySelectorAll("video[data-hls]").forEach(function (video) {
    playUrl(video, video.dataset.hls);
  });
}
