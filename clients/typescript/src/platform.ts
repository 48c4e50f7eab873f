/**
 * What differs between Node and browsers, in one place. Node's modules are loaded with a
 * dynamic import whose specifier bundlers are told to leave alone, so a browser bundle
 * never pulls in `node:fs`; calling a file-path feature in a browser throws a clear error.
 */

// Kept in a variable and marked ignored so bundlers (webpack, Vite, esbuild) do not try
// to resolve Node's modules for a browser build.
async function nodeImport(name: string): Promise<any> {
  const specifier = `node:${name}`;
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/** True under Node (file paths and `save()` work there). */
export function isNode(): boolean {
  const proc = (globalThis as any).process;
  return typeof proc?.versions?.node === "string";
}

export async function nodeModule(name: "fs" | "fs/promises" | "path" | "stream" | "stream/promises" | "crypto"): Promise<any> {
  if (!isNode()) {
    throw new Error(`node:${name} is only available under Node (file paths and save() need Node).`);
  }
  return nodeImport(name);
}

/** An environment variable under Node; undefined in browsers. */
export function env(name: string): string | undefined {
  const value = (globalThis as any).process?.env?.[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** WebCrypto: the global one (browsers, Node ≥ 19), else Node 18's `crypto.webcrypto`. */
export async function webCrypto(): Promise<Crypto> {
  const global = (globalThis as any).crypto;
  if (global?.subtle) return global as Crypto;
  return (await nodeModule("crypto")).webcrypto as Crypto;
}

export async function randomId(): Promise<string> {
  const crypto = await webCrypto();
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
