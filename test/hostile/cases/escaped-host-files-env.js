// hostile: (escaped vm) read /proc/self/environ, host files and the host canary file; write to /usr; fill /tmp
// tiers: container-escaped
// expect: ok
export default async function main(input) {
  const fs = globalThis.require('fs');
  const read = (p) => {
    try {
      return fs.readFileSync(p, 'utf8').slice(0, 2000);
    } catch (e) {
      return 'ERR ' + e.code;
    }
  };
  const out = {
    environ: read('/proc/self/environ'),
    initEnviron: read('/proc/1/environ'),
    canaryFile: read(input.secretPath),
    passwd: read('/etc/passwd'),
    shadow: read('/etc/shadow'),
    work: (() => {
      try {
        return fs.readdirSync('/work').join(',');
      } catch (e) {
        return 'ERR ' + e.code;
      }
    })(),
    root: (() => {
      try {
        return fs.readdirSync('/').join(',');
      } catch (e) {
        return 'ERR ' + e.code;
      }
    })(),
    env: JSON.stringify(process.env),
    uid: process.getuid(),
    writeUsr: (() => {
      try {
        fs.writeFileSync('/usr/pwned', 'x');
        return 'WROTE';
      } catch (e) {
        return 'ERR ' + e.code;
      }
    })(),
    fillTmp: (() => {
      try {
        const b = new Uint8Array(1 << 20);
        for (let i = 0; i < 64; i++) fs.appendFileSync('/tmp/fill', b);
        return 'FILLED 64MB';
      } catch (e) {
        return 'ERR ' + e.code;
      }
    })(),
    procs: (() => {
      try {
        return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length;
      } catch (e) {
        return -1;
      }
    })(),
  };
  return out;
}
