// CLI process entry: runs the command tree and exits with its code (0 ok, 1 failed/denied, 2 bad input).
import { runCli } from './program.js';

const code = await runCli(
  process.argv.slice(2),
  {
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t + '\n'),
  },
  process.env,
);
// Long-running commands (serve, demo upstream) keep the process alive; every other command exits when done.
const longRunning = process.argv[2] === 'serve' || (process.argv[2] === 'demo' && process.argv[3] === 'upstream');
if (code !== 0 || !longRunning) process.exitCode = code;
if (!longRunning || code !== 0) {
  // Let stdout drain, then exit even if a keep-alive socket lingers.
  process.stdout.write('', () => process.exit(code));
}
