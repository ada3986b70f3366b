import { defineConfig } from '@playwright/test';

// Playwright's own browser download cannot run here: use the system Chromium (Debian's `chromium`).
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 4329);
const base = process.env.BASE_PATH ?? '/heartnet-notebook';
// E2E_DIST: serve (and let the specs read) a build other than dist/, e.g. `npx astro build --outDir build/x`.
const dist = process.env.E2E_DIST;
// Report requests made by service workers too, so the suite's off-site request guard (tests/e2e/fixtures.ts) sees them.
process.env.PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS ??= '1';

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}${base}/`,
    // The site registers an offline service worker (src/layouts/sw-register.ts). Blocked by default so that every
    // test sees a cold, network-only page (request counts, timings); tests/e2e/offline.spec.ts allows it.
    serviceWorkers: 'block',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  // The tests run against the built site served by `astro preview`, as GitHub Pages would serve it.
  webServer: {
    command: `npx astro preview --host 127.0.0.1 --port ${port}${dist ? ` --outDir ${dist}` : ''}`,
    url: `http://127.0.0.1:${port}${base}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
