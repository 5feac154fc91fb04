/**
 * Turns stored asset names into the `$url` clients download from (signed unless the store is public):
 * what the record store and the plugin host need from the asset store (assets/fs-store.ts).
 */
export interface AssetUrls {
  url(name: string): string;
  /** Content types of stored assets, for filling `$content_type` on output. */
  contentTypes(names: string[]): Promise<Map<string, string>>;
}
