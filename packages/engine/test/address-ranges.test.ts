import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AddressClass, classifyAddress, parseAddress, parseCidr } from '../src/address-ranges.js';
import { checkSsrfGuard, refusalOf, resolveSsrfGuard } from '../src/ssrf-guard.js';

const CASES: ReadonlyArray<readonly [string, AddressClass]> = [
  // IPv4
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['10.0.0.5', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.1', 'global'],
  ['192.168.1.1', 'private'],
  ['100.64.0.1', 'private'],
  ['100.127.255.255', 'private'],
  ['100.128.0.1', 'global'],
  ['169.254.169.254', 'link-local'],
  ['169.254.0.1', 'link-local'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.254', 'reserved'],
  ['192.0.0.8', 'reserved'],
  ['192.88.99.1', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['198.20.0.1', 'global'],
  ['8.8.8.8', 'global'],
  ['1.1.1.1', 'global'],
  ['93.184.215.14', 'global'],
  ['11.0.0.1', 'global'],
  // IPv6
  ['::1', 'loopback'],
  ['0:0:0:0:0:0:0:1', 'loopback'],
  ['::', 'unspecified'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::FFFF:7F00:0001', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:8.8.8.8', 'global'],
  ['::127.0.0.1', 'loopback'],
  ['::7f00:1', 'loopback'],
  ['::10.1.2.3', 'private'],
  ['::8.8.8.8', 'reserved'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['febf::1', 'link-local'],
  ['fec0::1', 'private'],
  ['fc00::1', 'private'],
  ['fd12:3456:789a::1', 'private'],
  ['ff02::1', 'multicast'],
  ['ff0e::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['2001::1', 'reserved'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['64:ff9b::a9fe:a9fe', 'link-local'],
  ['64:ff9b::8.8.8.8', 'global'],
  ['64:ff9b:1::1', 'reserved'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:c0a8:101::1', 'private'],
  ['2002:a9fe:a9fe::1', 'link-local'],
  ['2002:808:808::1', 'global'],
  ['2001:4860:4860::8888', 'global'],
  ['2606:4700:4700::1111', 'global'],
  ['2a00:1450:4001:80b::200e', 'global'],
  ['100::1', 'reserved'],
  ['4000::1', 'reserved'],
  ['5f00::1', 'reserved'],
];

describe('classifyAddress', () => {
  it.each(CASES)('%s is %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });

  it('says undefined for what is not an IP address (host names, WHATWG-only forms, garbage)', () => {
    for (const text of [
      'localhost',
      '2130706433',
      '0x7f.1',
      '127.1',
      '1.2.3',
      '::g',
      '',
      '[::1]',
      '1.2.3.4/8',
    ]) {
      expect(classifyAddress(text)).toBeUndefined();
    }
  });

  it('checks the forms the WHATWG URL parser normalises hosts to', () => {
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://127.1/', 'http://0177.0.0.1/']) {
      expect(classifyAddress(new URL(url).hostname)).toBe('loopback');
    }
    const bracketed = new URL('http://[::ffff:127.0.0.1]/').hostname;
    expect(bracketed).toBe('[::ffff:7f00:1]');
    expect(classifyAddress(bracketed.slice(1, -1))).toBe('loopback');
  });
});

describe('parseCidr', () => {
  it('reads IPv4 and IPv6 blocks and refuses bad prefixes', () => {
    expect(parseCidr('10.1.0.0/16')).toMatchObject({ family: 4, prefix: 16 });
    expect(parseCidr('fd00::/8')).toMatchObject({ family: 6, prefix: 8 });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ family: 4, prefix: 0 });
    for (const bad of [
      '10.0.0.0/33',
      '::/129',
      '10.0.0.0/',
      '10.0.0/8',
      'host/8',
      '10.0.0.0/-1',
      '10.0.0.0/8/8',
    ]) {
      expect(parseCidr(bad)).toBeUndefined();
    }
  });
});

// An independent oracle: the blocked ranges as numbers (IPv4) and the rule that the policy must refuse them.
const BLOCKED_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

const toNumber = (dotted: string): number =>
  dotted.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
const toDotted = (value: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
const inBlock = (value: number, [network, prefix]: readonly [string, number]): boolean =>
  Math.floor(value / 2 ** (32 - prefix)) === Math.floor(toNumber(network) / 2 ** (32 - prefix));
const isBlockedV4 = (value: number): boolean => BLOCKED_V4.some((block) => inBlock(value, block));
const hex = (value: number): string => Math.floor(value).toString(16);
const v4Forms = (value: number): string[] => {
  const high = hex(value / 65536);
  const low = hex(value % 65536);
  return [
    toDotted(value),
    `::ffff:${toDotted(value)}`,
    `::ffff:${high}:${low}`,
    `64:ff9b::${high}:${low}`,
    `2002:${high}:${low}::1`,
  ];
};

const blockedV4 = fc
  .constantFrom(...BLOCKED_V4)
  .chain(([network, prefix]) =>
    fc.integer({ min: 0, max: 2 ** (32 - prefix) - 1 }).map((host) => toNumber(network) + host),
  );
const globalV4 = fc.integer({ min: 0, max: 2 ** 32 - 1 }).filter((value) => !isBlockedV4(value));

describe('the default policy (property)', () => {
  const policy = resolveSsrfGuard(undefined)!;

  it('refuses every address in the blocked IPv4 ranges, in every IPv4 and IPv4-embedding IPv6 form', () => {
    fc.assert(
      fc.property(blockedV4, (value) => {
        for (const form of v4Forms(value)) expect(refusalOf(policy, form), form).toBeDefined();
        expect(refusalOf(policy, `::${toDotted(value)}`)).toBeDefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('allows global IPv4 addresses, also mapped, NAT64 and 6to4, and refuses them in the deprecated compatible form', () => {
    fc.assert(
      fc.property(globalV4, (value) => {
        for (const form of v4Forms(value)) expect(refusalOf(policy, form), form).toBeUndefined();
        expect(refusalOf(policy, `::${toDotted(value)}`)).toBe('reserved');
      }),
      { numRuns: 2000 },
    );
  });

  const group = fc.integer({ min: 0, max: 0xffff }).map(hex);
  const tail = fc.array(group, { minLength: 7, maxLength: 7 }).map((groups) => groups.join(':'));

  it('refuses IPv6 in link-local, unique-local, multicast and documentation ranges, and outside 2000::/3', () => {
    const firstGroup = fc.oneof(
      fc.integer({ min: 0xfe80, max: 0xfebf }),
      fc.integer({ min: 0xfc00, max: 0xfdff }),
      fc.integer({ min: 0xff00, max: 0xffff }),
      fc.integer({ min: 0x4000, max: 0xfbff }),
      fc.integer({ min: 0x0100, max: 0x1fff }),
    );
    fc.assert(
      fc.property(firstGroup, tail, (first, rest) => {
        expect(refusalOf(policy, `${hex(first)}:${rest}`)).toBeDefined();
      }),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(fc.array(group, { minLength: 6, maxLength: 6 }), (groups) => {
        expect(refusalOf(policy, `2001:db8:${groups.join(':')}`)).toBe('documentation');
      }),
    );
  });

  it('allows global unicast IPv6 outside the special blocks', () => {
    const first = fc
      .integer({ min: 0x2000, max: 0x3ffe })
      .filter((value) => value !== 0x2001 && value !== 0x2002 && value !== 0x3fff);
    fc.assert(
      fc.property(first, tail, (head, rest) => {
        expect(refusalOf(policy, `${hex(head)}:${rest}`)).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('parses every IPv4 address it classifies back to the same bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (value) => {
        const parsed = parseAddress(`::ffff:${toDotted(value)}`)!;
        expect(parsed.bytes.slice(12).reduce((sum, byte) => sum * 256 + byte, 0)).toBe(value);
      }),
    );
  });
});

describe('policy exceptions', () => {
  it('allowLoopback lets loopback (and only loopback) through, in every form', () => {
    const policy = resolveSsrfGuard({ allowLoopback: true })!;
    for (const address of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:7f00:1', '::ffff:127.0.0.1']) {
      expect(refusalOf(policy, address), address).toBeUndefined();
    }
    expect(refusalOf(policy, '10.0.0.1')).toBe('private');
    expect(refusalOf(policy, '169.254.169.254')).toBe('link-local');
  });

  it('allowPrivateNetworks lets RFC 1918, CGNAT and ULA through, not link-local or loopback', () => {
    const policy = resolveSsrfGuard({ allowPrivateNetworks: true })!;
    for (const address of ['10.0.0.5', '172.20.1.1', '192.168.0.10', '100.64.1.1', 'fd00::1']) {
      expect(refusalOf(policy, address), address).toBeUndefined();
    }
    expect(refusalOf(policy, '169.254.169.254')).toBe('link-local');
    expect(refusalOf(policy, '127.0.0.1')).toBe('loopback');
  });

  it('allow takes CIDRs and single IPs; an IPv4 rule also covers the IPv4-mapped form', () => {
    const policy = resolveSsrfGuard({
      allow: ['10.1.0.0/16', '192.168.1.20', 'fd00:1::/32', '169.254.169.254'],
    })!;
    for (const address of ['10.1.2.3', '::ffff:10.1.2.3', '192.168.1.20', 'fd00:1:2::3', '169.254.169.254']) {
      expect(refusalOf(policy, address), address).toBeUndefined();
    }
    for (const address of ['10.2.0.1', '192.168.1.21', 'fd00:2::1', '169.254.169.253']) {
      expect(refusalOf(policy, address), address).toBeDefined();
    }
  });

  it('refuses bad entries, naming the entry', () => {
    const bad: ReadonlyArray<readonly [unknown, string]> = [
      [
        { allow: ['10.0.0.0/8', 'hooks.internal', '10.0.0.0/33'] },
        'ssrfGuard.allow[2]: "10.0.0.0/33" is not a CIDR, IP or host name',
      ],
      [{ allow: ['999.1.1.1'] }, 'ssrfGuard.allow[0]: "999.1.1.1" is not a CIDR, IP or host name'],
      [{ allow: ['a b'] }, 'ssrfGuard.allow[0]: "a b" is not a CIDR, IP or host name'],
      [{ allow: [''] }, 'ssrfGuard.allow[0]: "" is not a CIDR, IP or host name'],
      [{ allow: [42] }, 'ssrfGuard.allow[0]: number is not a CIDR, IP or host name'],
      [{ allow: ['fe80::1%eth0'] }, 'ssrfGuard.allow[0]: "fe80::1%eth0" is not a CIDR, IP or host name'],
      [{ allow: '10.0.0.0/8' }, 'ssrfGuard.allow must be an array'],
      [{ allowLoopback: 'yes' }, 'ssrfGuard.allowLoopback must be true or false'],
      [{ allowPrivateNetworks: 1 }, 'ssrfGuard.allowPrivateNetworks must be true or false'],
      [{ allowLocalhost: true }, 'ssrfGuard has an unknown option "allowLocalhost"'],
      [{ resolve: 'dns' }, 'ssrfGuard.resolve must be a function'],
      [true, 'ssrfGuard must be false (guard off, unsafe) or an object'],
      ['off', 'ssrfGuard must be false (guard off, unsafe) or an object'],
    ];
    for (const [options, message] of bad) {
      expect(() => checkSsrfGuard(options), JSON.stringify(options)).toThrow(message);
    }
  });

  it('accepts host names (IDN too), canonicalised to what URLs carry', () => {
    const policy = resolveSsrfGuard({ allow: ['Hooks.Internal.', 'bücher.example', 'svc_a.local'] })!;
    expect(policy.allowHosts).toEqual(['hooks.internal', 'xn--bcher-kva.example', 'svc_a.local']);
    expect(Object.isFrozen(policy) && Object.isFrozen(policy.allowHosts)).toBe(true);
    expect(resolveSsrfGuard(false)).toBeUndefined();
  });
});
