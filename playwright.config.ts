import { defineConfig } from '@playwright/test';

// Playwright's own browser download cannot run here: use the system Chromium (Debian's `chromium`).
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const port = Number(process.env.E2E_PORT ?? 4329);
const base = process.env.BASE_PATH ?? '/heartnet-notebook';

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
    command: `npx astro preview --host 127.0.0.1 --port ${port}`,
    url: `http://127.0.0.1:${port}${base}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
