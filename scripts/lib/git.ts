import { execFileSync } from 'node:child_process';

/** The checked-out commit (recorded in manifests, eval files and logs), or null outside a git checkout. */
export function gitCommit(): string | null {
  try {
    return (
      execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() ||
      null
    );
  } catch {
    return null;
  }
}
