/**
 * Base-path helpers. The site is served under a non-root base (GitHub Pages project site), so every
 * internal link and asset URL goes through `withBase`. Never hard-code a leading "/".
 */

function readBase(): string {
  // import.meta.env is defined by Vite/Astro; plain Node (tsx scripts) has no env object.
  const env = (import.meta as ImportMeta & { env?: { BASE_URL?: string } }).env;
  const raw = env?.BASE_URL ?? '/';
  return raw.endsWith('/') ? raw : `${raw}/`;
}

/** The base path with exactly one trailing slash, e.g. "/heartnet-notebook/". */
export const BASE: string = readBase();

const ABSOLUTE = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/**
 * Prefix an internal path with the site's base. `withBase('chapters/data/')` and
 * `withBase('/chapters/data/')` both give "/heartnet-notebook/chapters/data/". Absolute URLs
 * (https:, mailto:, //host) and pure fragments ("#x") are returned unchanged.
 */
export function withBase(path = ''): string {
  if (ABSOLUTE.test(path) || path.startsWith('#')) return path;
  return BASE + path.replace(/^\/+/, '');
}

/** URL of a chapter page from its route slug. */
export function chapterHref(slug: string, hash?: string): string {
  return withBase(`chapters/${slug}/`) + (hash ? `#${hash}` : '');
}
