/** The workspace's gallery over /api/v1/gallery. */

import type { Transport } from "./http.js";
import type { Asset, Page, Visibility } from "./types.js";

export interface GalleryListParams {
  kind?: "video" | "image" | "audio";
  q?: string;
  saved?: boolean;
  favorite?: boolean;
  visibility?: Visibility;
  limit?: number;
  cursor?: string;
}

export interface GallerySaveOptions {
  title?: string;
  tags?: string[];
  visibility?: Visibility;
}

/** The workspace's gallery: `client.gallery.list()`, `.iterate()`, `.save()`, `.get()`. */
export class Gallery {
  constructor(private readonly http: Transport) {}

  /** One page of assets, newest first; pass `cursor` from a page's `next` for the next. */
  async list(params: GalleryListParams = {}): Promise<Page<Asset>> {
    const { cursor, ...query } = params;
    const path = cursor && /^https?:/.test(cursor) ? cursor : "/api/v1/gallery";
    const q = cursor && !/^https?:/.test(cursor) ? { ...query, cursor } : query;
    return (await this.http.call<Page<Asset>>({ method: "GET", path, query: q, idempotent: true })).data;
  }

  /** Every asset, page after page. */
  async *iterate(params: Omit<GalleryListParams, "cursor"> = {}): AsyncGenerator<Asset> {
    let page = await this.list(params);
    for (;;) {
      yield* page.results;
      if (!page.next) return;
      page = await this.list({ ...params, cursor: page.next });
    }
  }

  async get(assetId: string): Promise<Asset> {
    const path = `/api/v1/gallery/${encodeURIComponent(assetId)}`;
    return (await this.http.call<Asset>({ method: "GET", path, idempotent: true })).data;
  }

  /**
   * Saves to the gallery: an asset id (`ast_…`, an upload or a job's video) is kept past
   * retention; an http(s) URL is fetched and saved.
   */
  async save(target: string | { url: string } | { asset: string }, options: GallerySaveOptions = {}): Promise<Asset> {
    const ref = typeof target === "string" ? (/^https?:\/\//i.test(target) ? { url: target } : { asset: target }) : target;
    const json = { ...ref, ...options };
    return (await this.http.call<Asset>({ method: "POST", path: "/api/v1/gallery", json, idempotent: false })).data;
  }
}
