// Holds a stand-in site build (a child process the real builder runs) until the test lets it go,
// so that what a test does "while a build runs" happens while it runs — not after a guessed sleep
// that a slow machine outlasts. The stand-in announces its start with a file next to the gate
// and waits for the gate file; both are plain files because the build is another process.
import fs from 'node:fs';
import path from 'node:path';

/** Source for a stand-in build script (an ES module with `fs` imported): stops here while gated. */
export const WAIT_AT_GATE = `
if (process.env.STAND_IN_GATE) {
  fs.writeFileSync(process.env.STAND_IN_GATE + '.started', '');
  while (!fs.existsSync(process.env.STAND_IN_GATE)) await new Promise((r) => setTimeout(r, 5));
}
`;

export interface BuildGate {
  /** For the build's environment. */
  env: { STAND_IN_GATE: string };
  /** Resolves once a build has reached the gate; fails after `timeoutMs`. */
  started(timeoutMs?: number): Promise<void>;
  /** Lets the build (and every later one through this gate) go on. */
  release(): void;
}

let gates = 0;

export function buildGate(dir: string): BuildGate {
  const gate = path.join(dir, `build-gate-${process.pid}-${++gates}`);
  return {
    env: { STAND_IN_GATE: gate },
    async started(timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      while (!fs.existsSync(`${gate}.started`)) {
        if (Date.now() > end) throw new Error(`no build reached the gate within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    release() {
      fs.writeFileSync(gate, '');
    },
  };
}
