// hostile: (escaped vm) fork bomb: spawn processes until something refuses
// tiers: container-escaped
// expect: failure
export default async function main() {
  const { spawn } = globalThis.require('child_process');
  let failed = 0;
  for (let i = 0; i < 2000; i++) {
    try {
      const c = spawn('/usr/bin/sleep', ['30']);
      c.on('error', () => failed++);
    } catch (e) {
      failed++;
    }
  }
  await new Promise(() => {}); // hold on to them until the deadline
}
