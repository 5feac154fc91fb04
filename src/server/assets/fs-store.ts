import { promises as fs } from 'node:fs';
import path from 'node:path';
import { table } from '../auth/sql';
import type { Queryable } from '../db/driver';
import { invalidArgument } from '../core/errors';
import { escapeAssetPath } from './names';
import { assetSignature } from './signer';
import type { AssetUrls } from '../core/asset-urls';
import { DEFAULT_ASSET_URL_LIFETIME_SECONDS } from '../core/config';

export interface AssetRow {
  id: string;
  content_type: string;
  size: number;
}

export interface FsAssetStoreOptions {
  db: Queryable;
  schema: string;
  dir: string;
  /** The public `/files` prefix; a function because the port is known only after listen. */
  urlPrefix: () => string;
  secret: string;
  public: boolean;
  /** Lifetime of a signed URL in seconds; default DEFAULT_ASSET_URL_LIFETIME_SECONDS (15 minutes). */
  urlLifetimeSeconds?: number;
  now?: () => number;
}

/** Wire form of an asset value (Part A §4.2). */
export interface AssetJSON {
  $type: 'asset';
  $name: string;
  $content_type: string;
  $url: string;
}

/**
 * The filesystem asset store: bytes under `dir/<name>`, metadata in `_asset`, download URLs signed
 * with ASSET_STORE_SECRET unless the store is public (Part A §8).
 */
export class FsAssetStore implements AssetUrls {
  readonly dir: string;

  constructor(private readonly opts: FsAssetStoreOptions) {
    this.dir = path.resolve(opts.dir);
  }

  get isPublic(): boolean {
    return this.opts.public;
  }

  get secret(): string {
    return this.opts.secret;
  }

  nowSeconds(): number {
    return Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
  }

  url(name: string): string {
    const base = `${this.opts.urlPrefix()}/${escapeAssetPath(name)}`;
    if (this.opts.public) return base;
    const expiredAt = this.nowSeconds() + (this.opts.urlLifetimeSeconds ?? DEFAULT_ASSET_URL_LIFETIME_SECONDS);
    const query = new URLSearchParams({ expiredAt: String(expiredAt), signature: assetSignature(this.opts.secret, name, expiredAt) });
    return `${base}?${query.toString()}`;
  }

  async contentTypes(names: string[]): Promise<Map<string, string>> {
    if (names.length === 0) return new Map();
    const { rows } = await this.opts.db.query<AssetRow>(`SELECT id, content_type FROM ${this.assetTable} WHERE id = ANY($1::text[])`, [
      names,
    ]);
    return new Map(rows.map((r) => [r.id, r.content_type]));
  }

  async find(name: string): Promise<AssetRow | null> {
    const { rows } = await this.opts.db.query<AssetRow>(`SELECT id, content_type, size FROM ${this.assetTable} WHERE id = $1`, [name]);
    return rows[0] ?? null;
  }

  async register(name: string, contentType: string, size: number): Promise<void> {
    await this.opts.db.query(`INSERT INTO ${this.assetTable} (id, content_type, size) VALUES ($1, $2, $3)`, [name, contentType, size]);
  }

  async setSize(name: string, size: number): Promise<void> {
    await this.opts.db.query(`UPDATE ${this.assetTable} SET size = $2 WHERE id = $1`, [name, size]);
  }

  json(name: string, contentType: string): AssetJSON {
    return { $type: 'asset', $name: name, $content_type: contentType, $url: this.url(name) };
  }

  /** The file for a (validated) asset name; refuses anything that would land outside the store. */
  filePath(name: string): string {
    const full = path.resolve(this.dir, name);
    if (!full.startsWith(this.dir + path.sep)) throw invalidArgument(`invalid asset name: ${JSON.stringify(name)}`, ['name']);
    return full;
  }

  async ensureDir(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
  }

  private get assetTable(): string {
    return table(this.opts.schema, '_asset');
  }
}
