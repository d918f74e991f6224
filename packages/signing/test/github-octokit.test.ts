import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { createGitHubScheme, GITHUB_SIGNATURE_HEADER } from '../src/index.js';
import { expectVerificationError } from './helpers.js';

const secret = "It's a Secret to Everybody";
const input = { id: 'delivery-1', timestamp: new Date(), body: 'Hello, World!' };

describe('GitHub scheme (x-hub-signature-256: sha256=<hex>) interop with @octokit/webhooks-methods', () => {
  it("matches GitHub's documented example", () => {
    expect(createGitHubScheme({ secret }).sign(input)).toEqual({
      [GITHUB_SIGNATURE_HEADER]: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    });
  });

  it('our signature verifies with octokit', async () => {
    const body = JSON.stringify({ action: 'opened', number: 42, title: 'ünïcödé' });
    const header = createGitHubScheme({ secret }).sign({ ...input, body })[GITHUB_SIGNATURE_HEADER]!;
    expect(await octokitVerify(secret, body, header)).toBe(true);
    expect(await octokitVerify('another secret', body, header)).toBe(false);
    expect(header).toBe(await octokitSign(secret, body));
  });

  it("octokit's signature verifies with ours, from a string or a Buffer", async () => {
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 });
    const header = await octokitSign(secret, body);
    const scheme = createGitHubScheme({ secret });
    expect(scheme.verify(body, { 'X-Hub-Signature-256': header })).toEqual({
      id: undefined,
      timestamp: undefined,
    });
    expect(() =>
      scheme.verify(Buffer.from(body), new Headers({ 'x-hub-signature-256': header })),
    ).not.toThrow();
  });

  it('refuses a tampered body, a wrong secret, a missing header or a header without sha256=', async () => {
    const body = '{"a":1}';
    const header = await octokitSign(secret, body);
    const scheme = createGitHubScheme({ secret });
    expectVerificationError(
      () => scheme.verify('{"a":2}', { [GITHUB_SIGNATURE_HEADER]: header }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expectVerificationError(
      () => createGitHubScheme({ secret: 'wrong' }).verify(body, { [GITHUB_SIGNATURE_HEADER]: header }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
    expectVerificationError(() => scheme.verify(body, {}), 'HOOKS_ERR_SIGNATURE_HEADERS');
    expectVerificationError(
      () => scheme.verify(body, { [GITHUB_SIGNATURE_HEADER]: header.replace('sha256=', 'sha1=') }),
      'HOOKS_ERR_SIGNATURE_HEADERS',
    );
    expectVerificationError(
      () =>
        scheme.verify(body, {
          [GITHUB_SIGNATURE_HEADER]: header.toUpperCase().replace('SHA256=', 'sha256='),
        }),
      'HOOKS_ERR_SIGNATURE_MISMATCH',
    );
  });
});
