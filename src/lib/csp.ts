/**
 * The site's Content-Security-Policy, delivered as a <meta http-equiv> by BaseLayout in production builds
 * (GitHub Pages cannot send response headers). Every directive is explained here and in docs/SECURITY.md.
 *
 * The build keeps every script and stylesheet external (astro.config.mjs: `build.inlineStylesheets: 'never'`
 * and `vite.build.assetsInlineLimit: 0`, so Astro inlines no <script> or <style>), and no markup carries a
 * `style` attribute (the chart renderer strips Plot's; the classifier sets its bar widths through CSSOM), so
 * neither hashes nor 'unsafe-inline' are needed: `'self'` is the whole allow-list. tests/e2e/security.spec.ts
 * checks that no page reports a violation, and scripts/budget.ts that no built page has inline code.
 *
 * The dev server (`astro dev`) gets no policy: Vite injects inline <style> elements and its client there.
 */
export const CSP_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  // Everything not named below: this origin only.
  ['default-src', "'self'"],
  // Our bundled modules only. 'wasm-unsafe-eval' lets the TensorFlow.js WASM backend compile its .wasm
  // (WebAssembly.instantiate); it does not allow eval() or new Function(), which stay blocked ('unsafe-eval'
  // is never granted).
  ['script-src', "'self' 'wasm-unsafe-eval'"],
  // External stylesheets only: no <style> elements and no style="" attributes exist in the built pages.
  // (Scripts that set element.style through CSSOM are not affected by CSP.)
  ['style-src', "'self'"],
  // Same-origin images only; charts are inline SVG, uploads are decoded with createImageBitmap (no URL).
  ['img-src', "'self'"],
  // System font stacks only (src/styles/global.css): no web fonts are loaded, and none from elsewhere.
  ['font-src', "'self'"],
  // fetch(): the model, the WASM binaries and the sample records, all from this site. Uploaded images are
  // never sent anywhere, and this directive makes that a browser-enforced rule.
  ['connect-src', "'self'"],
  // The generator's render worker (a same-origin module file) and the service worker (sw.js). TF.js creates a
  // blob: worker only for its multi-threaded WASM build, which needs cross-origin isolation (COOP/COEP headers)
  // that GitHub Pages cannot send; so blob: is not allowed. Add it if the site is ever served isolated.
  ['worker-src', "'self'"],
  ['manifest-src', "'self'"],
  ['media-src', "'self'"],
  // No plugins, no frames, no <base> hijacking, no form posts.
  ['object-src', "'none'"],
  ['frame-src', "'none'"],
  ['base-uri', "'self'"],
  ['form-action', "'none'"],
];

/** The policy as one header/meta value. (frame-ancestors and report-uri are ignored in a <meta>, so absent.) */
export const CSP: string = CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');
