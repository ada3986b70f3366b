/**
 * `npm test`'s first step: make sure the machine has what the tests need beyond npm, before anything long runs.
 *
 *  - Chromium, for the end-to-end tests and the budgets (Playwright cannot download its own browser here):
 *    CHROMIUM_PATH, default /usr/bin/chromium (Debian's `chromium`);
 *  - Debian's PyTorch and NumPy, for the tiny training run and the export parity check: HEARTNET_PYTHON,
 *    default /usr/bin/python3, must `import torch, numpy` (Debian's `python3-torch`, `python3-numpy`).
 *
 * What is missing is installed when it can be (running as root with apt-get, as .ci/run does; with the DejaVu
 * fonts Chromium needs to draw text); otherwise the script stops at once with one line naming what is missing and
 * the command that installs it. HEARTNET_NO_INSTALL=1 never installs.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface Need {
  /** What the reader is told is missing. */
  name: string;
  /** Debian packages that provide it. */
  apt: string[];
  /** Where it was looked for. */
  where: string;
  ok: boolean;
}

export interface Probes {
  executable(path: string): boolean;
  /** Exit status of `python -c code`. */
  python(python: string, code: string): number;
}

const realProbes: Probes = {
  executable(p) {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
  python(python, code) {
    if (!existsSync(python)) return 127;
    return spawnSync(python, ['-c', code], { stdio: 'ignore' }).status ?? 1;
  },
};

export function checkNeeds(env: NodeJS.ProcessEnv = process.env, probes: Probes = realProbes): Need[] {
  const chromium = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const python = env.HEARTNET_PYTHON ?? '/usr/bin/python3';
  return [
    { name: 'Chromium', apt: ['chromium'], where: chromium, ok: probes.executable(chromium) },
    {
      name: "Debian's PyTorch",
      apt: ['python3-torch', 'python3-numpy'],
      where: `${python} (import torch, numpy)`,
      ok: probes.python(python, 'import torch, numpy') === 0,
    },
  ];
}

/** The one line printed when something is missing and cannot be installed here. */
export function missingLine(missing: Need[], canSudo = true): string {
  const pkgs = missing.flatMap((n) => n.apt);
  return (
    `npm test needs ${missing.map((n) => `${n.name} (${n.where})`).join(' and ')}: install with ` +
    `\`${canSudo ? 'sudo ' : ''}apt-get install ${pkgs.join(' ')}\` (Debian), or point CHROMIUM_PATH / HEARTNET_PYTHON at your own`
  );
}

function canApt(env: NodeJS.ProcessEnv): boolean {
  return env.HEARTNET_NO_INSTALL !== '1' && process.getuid?.() === 0 && realProbes.executable('/usr/bin/apt-get');
}

function main(): number {
  let missing = checkNeeds().filter((n) => !n.ok);
  if (missing.length === 0) {
    console.log(
      `test-env: ${checkNeeds()
        .map((n) => `${n.name} ${n.where}`)
        .join('; ')}: ok`,
    );
    return 0;
  }
  if (!canApt(process.env)) {
    console.error(missingLine(missing));
    return 1;
  }
  const pkgs = [...missing.flatMap((n) => n.apt), 'fonts-dejavu-core'];
  console.log(
    `test-env: installing ${pkgs.join(' ')} with apt-get (missing: ${missing.map((n) => n.name).join(', ')})`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) =>
    spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
  if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', '--no-install-recommends', ...pkgs])) {
    console.error(missingLine(missing, false) + ' (apt-get failed here)');
    return 1;
  }
  missing = checkNeeds().filter((n) => !n.ok);
  if (missing.length > 0) {
    console.error(missingLine(missing, false) + ' (still missing after apt-get)');
    return 1;
  }
  console.log('test-env: installed; ok');
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(main());
