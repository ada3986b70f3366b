/**
 * Registers the service worker (sw.js, generated at build time by scripts/service-worker.ts) that keeps the
 * report and the demo working offline after the first visit. Loaded as an external module script by
 * BaseLayout, so the Content-Security-Policy needs no inline-script exception.
 *
 * Only production builds register it. Under `astro dev` it instead removes any worker that an earlier
 * `astro preview` on the same origin left behind, so the dev server is never answered from a stale cache.
 */
const base = import.meta.env.BASE_URL.endsWith('/') ? import.meta.env.BASE_URL : `${import.meta.env.BASE_URL}/`;

function register(): void {
  // Registration can fail (private mode, blocked by the browser or a test harness): the site works without it.
  navigator.serviceWorker.register(`${base}sw.js`, { scope: base }).catch(() => undefined);
}

if ('serviceWorker' in navigator) {
  if (import.meta.env.PROD) {
    // After the page has loaded, so precaching never competes with the first render.
    if (document.readyState === 'complete') register();
    else window.addEventListener('load', register, { once: true });
  } else {
    void navigator.serviceWorker
      .getRegistrations()
      .then((regs) =>
        Promise.all(regs.filter((r) => new URL(r.scope).pathname.startsWith(base)).map((r) => r.unregister())),
      )
      .catch(() => undefined);
  }
}
