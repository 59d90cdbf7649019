// CLI process entry: runs the command tree and exits with its code (0 ok, 1 failed/denied, 2 bad input).
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t + '\n'),
  err: (t) => process.stderr.write(t + '\n'),
}, process.env);
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
if (process.argv[2] !== 'serve') {
  // Let stdout drain, then exit even if a keep-alive socket lingers.
  process.stdout.write('', () => process.exit(code));
}
