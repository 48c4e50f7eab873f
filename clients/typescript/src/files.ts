/**
 * Media inputs: a file path (Node only), bytes, a Blob, an http(s) URL, or an asset id.
 */

import { nodeModule } from "./platform.js";

/** `string`: an http(s) URL, an asset id (`ast_…`), else a file path (Node). */
export type MediaInput = string | Uint8Array | ArrayBuffer | Blob;

export type MediaRef =
  | { kind: "url"; url: string }
  | { kind: "asset"; id: string }
  | { kind: "file"; load: () => Promise<{ blob: Blob; name: string }> };

const TYPES: Record<string, string> = {
  mp4: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
  mkv: "video/x-matroska",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  m4a: "audio/mp4",
  ogg: "audio/ogg",
};

function contentType(name: string): string {
  const ext = name.toLowerCase().split(".").pop() ?? "";
  return TYPES[ext] ?? "application/octet-stream";
}

export function mediaRef(input: MediaInput, name = "upload"): MediaRef {
  if (typeof input === "string") {
    if (/^https?:\/\//i.test(input)) return { kind: "url", url: input };
    if (/^ast_[A-Za-z0-9]+$/.test(input)) return { kind: "asset", id: input };
    return { kind: "file", load: () => readPath(input) };
  }
  return { kind: "file", load: async () => ({ blob: toBlob(input, name), name: blobName(input, name) }) };
}

function blobName(input: Uint8Array | ArrayBuffer | Blob, fallback: string): string {
  const named = (input as { name?: unknown }).name;
  return typeof named === "string" && named ? named : fallback;
}

function toBlob(input: Uint8Array | ArrayBuffer | Blob, name: string): Blob {
  if (input instanceof Blob) return input;
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: contentType(name) });
}

/** A file on disk as a Blob (streamed from disk where Node has `fs.openAsBlob`). */
async function readPath(path: string): Promise<{ blob: Blob; name: string }> {
  const fs = await nodeModule("fs");
  const pathModule = await nodeModule("path");
  const name: string = pathModule.basename(path);
  const type = contentType(name);
  if (typeof fs.openAsBlob === "function") return { blob: await fs.openAsBlob(path, { type }), name };
  const fsp = await nodeModule("fs/promises");
  const bytes: Uint8Array = await fsp.readFile(path);
  return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name };
}

/** Form data with one file part, built afresh for each attempt of a request. */
export function fileForm(field: string, blob: Blob, name: string): FormData {
  const form = new FormData();
  form.append(field, blob, name);
  return form;
}
