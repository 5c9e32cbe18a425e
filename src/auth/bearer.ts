/** The bearer token of a request: `Authorization: Bearer …`, else `?token=` (telephony providers cannot set headers). */
export function bearerToken(headers: Record<string, string | string[] | undefined>, url: string): string | null {
  const header = headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  if (value) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
    return m?.[1] ?? null;
  }
  const q = url.indexOf('?');
  if (q < 0) return null;
  const token = new URLSearchParams(url.slice(q + 1)).get('token');
  return token && token.length > 0 ? token : null;
}
