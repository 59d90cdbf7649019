// Which IP addresses outbound app traffic may reach: public unicast only, unless a connector allows private networks.
// Node's net.BlockList does the CIDR matching (it also matches IPv4-mapped IPv6 against IPv4 rules).
import { BlockList, isIP } from 'node:net';

/** Cloud metadata endpoints: refused even for connectors that allow private networks. */
const METADATA = new BlockList();
METADATA.addAddress('169.254.169.254', 'ipv4');
METADATA.addAddress('169.254.170.2', 'ipv4');
METADATA.addAddress('100.100.100.200', 'ipv4');
METADATA.addAddress('fd00:ec2::254', 'ipv6');
export const METADATA_HOSTNAMES = new Set([
  'metadata.google.internal',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
]);

/** Loopback, RFC 1918, CGNAT, ULA and friends: reachable only with allowPrivateNetwork. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['fc00::', 7],
  ['::1', 128],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** Never routable for an app: unspecified, link-local, multicast, reserved, documentation, NAT64, 6to4. */
const NEVER = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['169.254.0.0', 16],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NEVER.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2002::', 16],
  ['fec0::', 10],
] as const) {
  NEVER.addSubnet(net, bits, 'ipv6');
}

export type AddressVerdict = { ok: true } | { ok: false; reason: string };

/** Classifies one resolved address. */
export function checkAddress(address: string, allowPrivateNetwork: boolean): AddressVerdict {
  const family = isIP(address);
  if (family === 0) return { ok: false, reason: `'${address}' is not an IP address` };
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (METADATA.check(address, type)) return { ok: false, reason: `${address} is a cloud metadata address` };
  if (NEVER.check(address, type))
    return { ok: false, reason: `${address} is a link-local, reserved or non-unicast address` };
  if (PRIVATE.check(address, type) && !allowPrivateNetwork) {
    return {
      ok: false,
      reason: `${address} is a loopback or private address (a connector must declare allowPrivateNetwork to reach it)`,
    };
  }
  return { ok: true };
}
