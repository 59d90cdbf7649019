// hostile: (escaped vm) network sockets: TCP to the host's server, to the internet, UDP, and a raw socket
// tiers: container-escaped
// expect: ok
export default async function main(input) {
  const net = globalThis.require('net'),
    dgram = globalThis.require('dgram');
  const tcp = (host, port) =>
    new Promise((res) => {
      const s = net.connect(port, host);
      s.on('connect', () => {
        s.destroy();
        res('CONNECTED');
      });
      s.on('error', (e) => res(e.code));
    });
  const udp = () => {
    try {
      const s = dgram.createSocket('udp4');
      s.on('error', () => {});
      s.send('x', 53, '8.8.8.8');
      return 'created';
    } catch (e) {
      return e.code;
    }
  };
  const { spawnSync } = globalThis.require('child_process');
  const raw = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import socket\ntry:\n  socket.socket(socket.AF_PACKET, socket.SOCK_RAW); print("RAW")\nexcept OSError as e: print(e.errno)',
    ],
    { encoding: 'utf8' },
  ).stdout.trim();
  return { hostServer: await tcp('127.0.0.1', input.port), internet: await tcp('1.1.1.1', 443), udp: udp(), raw };
}
