import { isIP } from 'node:net';

/**
 * What an IP address is, as far as delivery is concerned: `global` (publicly routable) or the kind of
 * special-purpose range it belongs to (IANA IPv4 and IPv6 special-purpose registries).
 */
export type AddressClass =
  | 'global'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

/** A parsed IP address: its family and its bytes (4 or 16), network order. */
export interface ParsedAddress {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** 4 bytes (IPv4) or 16 bytes (IPv6). */
  readonly bytes: Uint8Array;
}

/** A CIDR block: a network address and a prefix length. */
export interface Cidr extends ParsedAddress {
  /** Leading bits that must match (0 to 32, or 0 to 128). */
  readonly prefix: number;
}

function parseIpv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.'), Number);
}

function parseIpv6(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  let body = text;
  let tail: Uint8Array | undefined;
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.', lastColon)) {
    tail = parseIpv4(body.slice(lastColon + 1));
    body = `${body.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = body.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined
      ? headGroups
      : [
          ...headGroups,
          ...new Array<string>(8 - headGroups.length - restGroups.length).fill('0'),
          ...restGroups,
        ];
  groups.forEach((group, index) => {
    const value = Number.parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  if (tail !== undefined) bytes.set(tail, 12);
  return bytes;
}

/**
 * Parses an IPv4 or IPv6 address in any form `net.isIP` accepts (a zone such as `%eth0` is ignored);
 * undefined when `text` is not an IP address.
 *
 * @example
 * parseAddress('::ffff:127.0.0.1'); // { family: 6, bytes: Uint8Array(16) [..., 255, 255, 127, 0, 0, 1] }
 */
export function parseAddress(text: string): ParsedAddress | undefined {
  const unzoned = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  const family = isIP(unzoned);
  if (family === 4) return { family: 4, bytes: parseIpv4(unzoned) };
  if (family === 6) return { family: 6, bytes: parseIpv6(unzoned) };
  return undefined;
}

/**
 * Parses `address/prefix` (`10.0.0.0/8`, `fd00::/8`); host bits past the prefix are ignored. Undefined when
 * the text is not a CIDR block.
 *
 * @example
 * parseCidr('10.1.0.0/16'); // { family: 4, bytes: [10, 1, 0, 0], prefix: 16 }
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const address = text.includes('%') ? undefined : parseAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > address.bytes.length * 8) return undefined;
  return { ...address, prefix };
}

/** True when `address` lies in `block` (same family; compare IPv4-mapped IPv6 with `effectiveAddress` first). */
export function cidrContains(block: Cidr, address: ParsedAddress): boolean {
  if (block.family !== address.family) return false;
  const whole = block.prefix >> 3;
  for (let index = 0; index < whole; index++) {
    if (block.bytes[index] !== address.bytes[index]) return false;
  }
  const bits = block.prefix & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((block.bytes[whole] ?? 0) & mask) === ((address.bytes[whole] ?? 0) & mask);
}

function cidr(text: string): Cidr {
  return parseCidr(text)!;
}

/** IPv4 special-purpose blocks, most specific first. Anything else is `global`. */
const IPV4_RANGES: ReadonlyArray<readonly [Cidr, AddressClass]> = [
  [cidr('0.0.0.0/32'), 'unspecified'],
  [cidr('255.255.255.255/32'), 'broadcast'],
  [cidr('0.0.0.0/8'), 'reserved'],
  [cidr('10.0.0.0/8'), 'private'],
  [cidr('100.64.0.0/10'), 'private'],
  [cidr('127.0.0.0/8'), 'loopback'],
  [cidr('169.254.0.0/16'), 'link-local'],
  [cidr('172.16.0.0/12'), 'private'],
  [cidr('192.0.0.0/24'), 'reserved'],
  [cidr('192.0.2.0/24'), 'documentation'],
  [cidr('192.88.99.0/24'), 'reserved'],
  [cidr('192.168.0.0/16'), 'private'],
  [cidr('198.18.0.0/15'), 'benchmarking'],
  [cidr('198.51.100.0/24'), 'documentation'],
  [cidr('203.0.113.0/24'), 'documentation'],
  [cidr('224.0.0.0/4'), 'multicast'],
  [cidr('240.0.0.0/4'), 'reserved'],
];

/** IPv6 special-purpose blocks inside or beside 2000::/3, checked after the IPv4-embedding forms. */
const IPV6_RANGES: ReadonlyArray<readonly [Cidr, AddressClass]> = [
  [cidr('fe80::/10'), 'link-local'],
  [cidr('fec0::/10'), 'private'],
  [cidr('fc00::/7'), 'private'],
  [cidr('ff00::/8'), 'multicast'],
  [cidr('2001:db8::/32'), 'documentation'],
  [cidr('3fff::/20'), 'documentation'],
  [cidr('2001:2::/48'), 'benchmarking'],
  [cidr('2001::/23'), 'reserved'],
];

const GLOBAL_UNICAST = cidr('2000::/3');
const MAPPED = cidr('::ffff:0:0/96');
const COMPATIBLE = cidr('::/96');
const NAT64 = cidr('64:ff9b::/96');
const SIX_TO_FOUR = cidr('2002::/16');

function ipv4(bytes: Uint8Array, offset: number): ParsedAddress {
  return { family: 4, bytes: bytes.slice(offset, offset + 4) };
}

/**
 * The address a connection to `address` really reaches when that is an IPv4 address: the IPv4 inside an
 * IPv4-mapped IPv6 address (`::ffff:127.0.0.1`); otherwise `address` itself.
 */
export function effectiveAddress(address: ParsedAddress): ParsedAddress {
  return address.family === 6 && cidrContains(MAPPED, address) ? ipv4(address.bytes, 12) : address;
}

function classifyIpv4(address: ParsedAddress): AddressClass {
  for (const [block, kind] of IPV4_RANGES) if (cidrContains(block, address)) return kind;
  return 'global';
}

function classifyIpv6(address: ParsedAddress): AddressClass {
  const { bytes } = address;
  if (cidrContains(MAPPED, address) || cidrContains(NAT64, address)) return classifyIpv4(ipv4(bytes, 12));
  if (cidrContains(COMPATIBLE, address)) {
    // ::, ::1 and the deprecated IPv4-compatible form ::a.b.c.d (never globally routable).
    if (bytes.every((byte, index) => index === 15 || byte === 0)) {
      if (bytes[15] === 0) return 'unspecified';
      if (bytes[15] === 1) return 'loopback';
    }
    const embedded = classifyIpv4(ipv4(bytes, 12));
    return embedded === 'global' ? 'reserved' : embedded;
  }
  if (cidrContains(SIX_TO_FOUR, address)) return classifyIpv4(ipv4(bytes, 2));
  for (const [block, kind] of IPV6_RANGES) if (cidrContains(block, address)) return kind;
  return cidrContains(GLOBAL_UNICAST, address) ? 'global' : 'reserved';
}

/**
 * Classifies a parsed address. IPv6 forms that embed an IPv4 address (IPv4-mapped `::ffff:0:0/96`,
 * IPv4-compatible `::/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) take the class of the embedded address;
 * IPv6 outside 2000::/3 that is not otherwise special is `reserved`.
 *
 * @example
 * classifyParsed(parseAddress('::ffff:7f00:1')!); // 'loopback'
 */
export function classifyParsed(address: ParsedAddress): AddressClass {
  return address.family === 4 ? classifyIpv4(address) : classifyIpv6(address);
}

/**
 * Classifies an IP address given as text; undefined when it is not an IP address.
 *
 * @example
 * classifyAddress('169.254.169.254'); // 'link-local'
 * classifyAddress('93.184.215.14'); // 'global'
 */
export function classifyAddress(text: string): AddressClass | undefined {
  const address = parseAddress(text);
  return address === undefined ? undefined : classifyParsed(address);
}
