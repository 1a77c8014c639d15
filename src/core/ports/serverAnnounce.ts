/**
 * Ports a log line announces a server on (PRODUCT.md §9): `http://0.0.0.0:5173`, `Running on
 * http://127.0.0.1:6006`, `listening on port 8888`, `Serving on port 8000`. Pure, so the extension
 * offers a forward from what its log channel receives.
 */
const URL = /\bhttps?:\/\/(?:0\.0\.0\.0|127\.0\.0\.1|localhost|\[::1?\]|[A-Za-z0-9][\w.-]*):(\d{2,5})\b/g;
const PHRASE = /\b(?:listening|serving|running|started|available)\b[^\n]{0,40}?\bport\s*:?\s*(\d{2,5})\b/gi;

export function announcedPorts(text: string): number[] {
  const found = new Set<number>();
  for (const re of [URL, PHRASE]) {
    for (const m of text.matchAll(re)) {
      const p = Number(m[1]);
      if (p >= 1 && p <= 65535) found.add(p);
    }
  }
  return [...found];
}
