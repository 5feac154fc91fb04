/**
 * Go's CanonicalMIMEHeaderKey: `content-type` → `Content-Type`, `x-skygear-api-key` → `X-Skygear-Api-Key`.
 * Plugins index handler headers this way (skygear-core's `form()` reads `headers['Content-Type'][0]`).
 */
export function canonicalHeaderKey(name: string): string {
  return name
    .toLowerCase()
    .split('-')
    .map((part) => (part === '' ? part : part[0].toUpperCase() + part.slice(1)))
    .join('-');
}

/** The handler param's `header` map: canonical keys, every value an array, `Host` left out (as Go does). */
export function canonicalHeaders(headers: Record<string, string[] | string | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const key = canonicalHeaderKey(name);
    if (key === 'Host') continue;
    out[key] = [...(out[key] ?? []), ...(Array.isArray(value) ? value : [value])];
  }
  return out;
}
