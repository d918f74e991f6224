import type { LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { checkAddresses, resolveChecked, type SsrfPolicy, unbracket } from './ssrf-guard.js';

function wantedFamily(family: unknown): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

/**
 * A `lookup` for `net.connect` / `tls.connect` that resolves the host with the policy's resolver, checks
 * every address of the answer, and hands the socket exactly the checked addresses: the connection goes to
 * an address that was checked, with no second resolution in between.
 *
 * @example
 * net.connect({ host: 'hooks.example.com', port: 443, lookup: createGuardedLookup(policy) });
 */
export function createGuardedLookup(policy: SsrfPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveChecked(policy, hostname).then(
      (addresses) => {
        const family = wantedFamily(options.family);
        const entries: LookupAddress[] = [];
        for (const address of addresses) {
          const found = isIP(address);
          if (found !== 0 && (family === 0 || found === family)) entries.push({ address, family: found });
        }
        if (entries.length === 0) {
          const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
            code: 'ENOTFOUND',
            hostname,
          });
          callback(error, '', 0);
        } else if (options.all) {
          (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, entries);
        } else {
          callback(null, entries[0]!.address, entries[0]!.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/**
 * An undici connector that enforces the SSRF policy at connect time: an IP-literal host is checked before
 * connecting (net never resolves it), and a host name is resolved and checked by `createGuardedLookup`
 * inside `net.connect`. TLS SNI and the Host header stay the original host name.
 *
 * @example
 * const agent = new Agent({ connect: createGuardedConnector(policy, { timeout: 5000 }) });
 */
export function createGuardedConnector(
  policy: SsrfPolicy,
  options: buildConnector.BuildOptions,
): buildConnector.connector {
  const connect = buildConnector({ ...options, lookup: createGuardedLookup(policy) });
  return (connectOptions, callback) => {
    const host = unbracket(connectOptions.hostname);
    if (isIP(host) !== 0) {
      try {
        checkAddresses(policy, host, [host]);
      } catch (error) {
        queueMicrotask(() => callback(error as Error, null));
        return;
      }
    }
    connect(connectOptions, callback);
  };
}
