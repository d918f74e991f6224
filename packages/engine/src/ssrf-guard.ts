import { lookup } from 'node:dns/promises';
import { domainToASCII } from 'node:url';
import { ConfigurationError, HooksError, type HooksErrorOptions } from '@hooks/core';
import {
  type AddressClass,
  type Cidr,
  cidrContains,
  classifyParsed,
  effectiveAddress,
  parseAddress,
  parseCidr,
} from './address-ranges.js';

/** Resolves a host name to every address of its answer (IPv4 and IPv6 text). */
export type SsrfResolver = (hostname: string) => Promise<readonly string[]>;

/**
 * Options of the SSRF guard (`ssrfGuard` of `createDispatcher` and `createNotifier`). The guard is on by
 * default; `false` turns it off, which lets anyone who can set a target URL reach your own network (unsafe).
 */
export interface SsrfGuardOptions {
  /** Allow loopback addresses (127.0.0.0/8, ::1 and their mapped forms); default false. */
  allowLoopback?: boolean;
  /** Allow private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, fec0::/10); default false. */
  allowPrivateNetworks?: boolean;
  /** CIDR blocks (`10.1.0.0/16`, `fd00::/8`), single IPs, or host names (exact, case-insensitive: that name is allowed whatever it resolves to). */
  allow?: readonly string[];
  /** Resolves host names (default `dns.lookup` with `all: true`); for tests and custom DNS only. */
  resolve?: SsrfResolver;
}

/** The guard's checked, frozen settings. */
export interface SsrfPolicy {
  /** Whether loopback addresses are allowed. */
  readonly allowLoopback: boolean;
  /** Whether private-network addresses are allowed. */
  readonly allowPrivateNetworks: boolean;
  /** Allowed blocks (single IPs are /32 or /128). */
  readonly allowCidrs: readonly Cidr[];
  /** Allowed host names, lower case, without a trailing dot. */
  readonly allowHosts: readonly string[];
  /** How host names are resolved. */
  readonly resolve: SsrfResolver;
}

/** The code of `SsrfBlockedError`. */
export const SSRF_BLOCKED_CODE = 'HOOKS_ERR_SSRF_BLOCKED';

/** A delivery refused by the SSRF guard: the target resolved to an address that is not globally routable. */
export class SsrfBlockedError extends HooksError {
  /** The code every SsrfBlockedError carries. */
  static readonly errorCode = SSRF_BLOCKED_CODE;
  constructor(message: string, options?: HooksErrorOptions) {
    super(new.target.errorCode, message, options);
  }
}

/** Default resolver: every address of the answer, as the system resolver gives it. */
const systemResolve: SsrfResolver = async (hostname) =>
  (await lookup(hostname, { all: true })).map((entry) => entry.address);

const OPTION_KEYS = new Set(['allowLoopback', 'allowPrivateNetworks', 'allow', 'resolve']);
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** A host name in the canonical form URLs use (lower case, ASCII, no trailing dot), or undefined. */
function canonicalHost(text: string): string | undefined {
  const ascii = domainToASCII(text.endsWith('.') ? text.slice(0, -1) : text);
  if (ascii === '' || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  // A last label that is a number makes the WHATWG URL parser read the host as IPv4.
  if (/^(\d+|0x[0-9a-f]*)$/.test(labels[labels.length - 1]!)) return undefined;
  return labels.every((label) => LABEL.test(label)) ? ascii : undefined;
}

function configError(field: string, message: string): never {
  throw new ConfigurationError(`${field} ${message}`, { details: { field } });
}

function booleanOption(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') configError(field, 'must be true or false');
  return value;
}

/**
 * Checks the `ssrfGuard` option and freezes it: undefined when the guard is off (`false`), the default policy
 * (nothing but global addresses) when absent. Throws `ConfigurationError` naming the bad entry, e.g.
 * `ssrfGuard.allow[2]: "10.0.0.0/33" is not a CIDR, IP or host name`.
 *
 * @example
 * const policy = resolveSsrfGuard({ allowLoopback: true, allow: ['10.1.0.0/16', 'hooks.internal'] });
 */
export function resolveSsrfGuard(input: unknown, field = 'ssrfGuard'): SsrfPolicy | undefined {
  if (input === false) return undefined;
  const options = (input ?? {}) as SsrfGuardOptions;
  if (typeof options !== 'object' || Array.isArray(options)) {
    configError(field, 'must be false (guard off, unsafe) or an object');
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) configError(field, `has an unknown option ${JSON.stringify(key)}`);
  }
  const allow = options.allow ?? [];
  if (!Array.isArray(allow)) configError(`${field}.allow`, 'must be an array of CIDRs, IPs or host names');
  const allowCidrs: Cidr[] = [];
  const allowHosts: string[] = [];
  allow.forEach((entry: unknown, index) => {
    const text = typeof entry === 'string' ? entry.trim() : '';
    const block = text.includes('/') ? parseCidr(text) : undefined;
    const single = block === undefined ? parseAddress(text) : undefined;
    const host = block === undefined && single === undefined ? canonicalHost(text) : undefined;
    if (block !== undefined) allowCidrs.push(Object.freeze(block));
    else if (single !== undefined && !text.includes('%'))
      allowCidrs.push(Object.freeze({ ...single, prefix: single.bytes.length * 8 }));
    else if (host !== undefined) allowHosts.push(host);
    else {
      const shown = typeof entry === 'string' ? JSON.stringify(entry.slice(0, 100)) : typeof entry;
      throw new ConfigurationError(`${field}.allow[${index}]: ${shown} is not a CIDR, IP or host name`, {
        details: { field: `${field}.allow[${index}]` },
      });
    }
  });
  if (options.resolve !== undefined && typeof options.resolve !== 'function') {
    configError(`${field}.resolve`, 'must be a function (hostname) => Promise<string[]>');
  }
  return Object.freeze({
    allowLoopback: booleanOption(options.allowLoopback, `${field}.allowLoopback`),
    allowPrivateNetworks: booleanOption(options.allowPrivateNetworks, `${field}.allowPrivateNetworks`),
    allowCidrs: Object.freeze(allowCidrs),
    allowHosts: Object.freeze(allowHosts),
    resolve: options.resolve ?? systemResolve,
  });
}

/**
 * Checks an `ssrfGuard` option the way `createDispatcher` does, without creating anything (for configuration
 * loaders). Throws `ConfigurationError` naming the bad entry.
 *
 * @example
 * checkSsrfGuard({ allow: process.env.HOOKS_SSRF_ALLOW?.split(',') ?? [] });
 */
export function checkSsrfGuard(options: unknown, field = 'ssrfGuard'): void {
  resolveSsrfGuard(options, field);
}

/** Why an address is refused (its class), or undefined when the policy allows it. */
export function refusalOf(policy: SsrfPolicy, address: string): AddressClass | undefined {
  const parsed = parseAddress(address);
  if (parsed === undefined) return 'reserved';
  const kind = classifyParsed(parsed);
  if (kind === 'global') return undefined;
  if (kind === 'loopback' && policy.allowLoopback) return undefined;
  if (kind === 'private' && policy.allowPrivateNetworks) return undefined;
  const effective = effectiveAddress(parsed);
  if (policy.allowCidrs.some((block) => cidrContains(block, parsed) || cidrContains(block, effective))) {
    return undefined;
  }
  return kind;
}

/** True when `hostname` is one of the policy's allowed host names. */
export function isAllowedHost(policy: SsrfPolicy, hostname: string): boolean {
  if (policy.allowHosts.length === 0) return false;
  const lower = hostname.toLowerCase();
  const bare = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  return policy.allowHosts.includes(bare);
}

/** Strips the brackets of an IPv6 URL host (`[::1]` -> `::1`). */
export function unbracket(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/** The error for a refused address: `blocked by SSRF guard: 10.0.0.5 (private) for host internal.example`. */
export function blockedError(address: string, kind: AddressClass, hostname: string): SsrfBlockedError {
  const forHost = hostname === address ? '' : ` for host ${hostname}`;
  return new SsrfBlockedError(`blocked by SSRF guard: ${address} (${kind})${forHost}`, {
    details: { address, class: kind, host: hostname },
  });
}

/**
 * Checks every address of a DNS answer (or one IP literal): any refused address refuses the whole answer,
 * so a name that mixes public and internal addresses never reaches the internal ones. Returns when every
 * address is allowed (or the host name itself is); throws `SsrfBlockedError` naming the first refused one.
 */
export function checkAddresses(policy: SsrfPolicy, hostname: string, addresses: readonly string[]): void {
  if (isAllowedHost(policy, hostname)) return;
  for (const address of addresses) {
    const kind = refusalOf(policy, address);
    if (kind !== undefined) throw blockedError(address, kind, hostname);
  }
}

/**
 * Resolves `hostname` (an IP literal is used as it is) and checks the answer; resolves with the checked
 * addresses or rejects with `SsrfBlockedError` (or the resolver's error).
 *
 * @example
 * const addresses = await resolveChecked(policy, 'hooks.example.com'); // ['93.184.215.14']
 */
export async function resolveChecked(policy: SsrfPolicy, hostname: string): Promise<string[]> {
  const host = unbracket(hostname);
  if (parseAddress(host) !== undefined) {
    checkAddresses(policy, host, [host]);
    return [host];
  }
  const addresses = [...(await policy.resolve(host))];
  if (addresses.length === 0) {
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host });
  }
  checkAddresses(policy, host, addresses);
  return addresses;
}

/** The `SsrfBlockedError` in an error's `cause` chain, if any. */
export function findBlocked(error: unknown): SsrfBlockedError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && current !== undefined; depth++) {
    if (SsrfBlockedError.isInstance(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
