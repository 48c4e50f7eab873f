// The share and asset pages: a video with an HLS set plays it (see hls-player.js).
import { playPageVideos } from "./hls-player.js";

playPageVideos();
