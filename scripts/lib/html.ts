/** Reading our own built HTML (budget, smoke test, service-worker build): attribute values as the browser sees them. */

/** Decodes the entities Astro writes in attribute values (`&amp;` last, so `&amp;quot;` stays `&quot;`). */
export function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#34;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#38;/g, '&')
    .replace(/&amp;/g, '&');
}
