import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Builds, packs and installs the real tarball into an empty project, then loads it with require and import.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const workDir = mkdtempSync(join(tmpdir(), 'hooks-signing-pack-'));
const projectDir = join(workDir, 'project');
const quiet = { cwd: packageDir, stdio: 'pipe', timeout: 60_000 } as const;

const SCRIPT = `
const { Webhook, createStandardWebhooksScheme, createCampaignFlowScheme, createGitHubScheme, generateSecret, WebhookVerificationError } = LIB;
const secret = generateSecret();
const wh = new Webhook(secret);
const body = '{"ok":true}';
const headers = createStandardWebhooksScheme({ secret }).sign({ id: 'msg_pack', timestamp: new Date(), body });
const parsed = wh.verify(body, headers);
const cf = createCampaignFlowScheme({ secret: 's' });
cf.verify(body, cf.sign({ id: 'x', timestamp: new Date(), body }));
const gh = createGitHubScheme({ secret: 's' });
gh.verify(body, gh.sign({ id: 'x', timestamp: new Date(), body }));
let refused = false;
try { wh.verify('{"ok":false}', headers); } catch (e) { refused = e instanceof WebhookVerificationError && e.code === 'HOOKS_ERR_SIGNATURE_MISMATCH'; }
console.log(JSON.stringify({ parsed, refused }));
`;

describe('the packed tarball', () => {
  beforeAll(() => {
    execFileSync('pnpm', ['exec', 'tsup', '--silent'], quiet);
    execFileSync('npm', ['pack', '--silent', '--pack-destination', workDir], quiet);
    const tarball = readdirSync(workDir).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack produced no tarball');
    execFileSync('mkdir', ['-p', projectDir]);
    writeFileSync(join(projectDir, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}');
    execFileSync(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', join(workDir, tarball)],
      { ...quiet, cwd: projectDir },
    );
  }, 60_000);

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  const expected = JSON.stringify({ parsed: { ok: true }, refused: true });

  it('works from require (CommonJS)', () => {
    const code = SCRIPT.replace('LIB', "require('@hooks/signing')");
    const out = execFileSync('node', ['-e', code], { cwd: projectDir, encoding: 'utf8' });
    expect(out.trim()).toBe(expected);
  });

  it('works from import (ESM)', () => {
    const code = `import * as lib from '@hooks/signing';\n${SCRIPT.replace('LIB', 'lib')}`;
    const out = execFileSync('node', ['--input-type=module', '-e', code], {
      cwd: projectDir,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe(expected);
  });

  it('installs no runtime dependency', () => {
    const installed = readdirSync(join(projectDir, 'node_modules')).filter((name) => !name.startsWith('.'));
    expect(installed).toEqual(['@hooks']);
  });
});
