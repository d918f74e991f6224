import fc from 'fast-check';

// Scenarios for configuration fuzzing: whole environments and command lines that mix good and bad values,
// with known secrets inside, for the apps' settings tests to feed to their loaders.

/** A secret-looking token. */
export const token = fc.stringMatching(/^[A-Za-z0-9]{16,32}$/);

/** The secrets hidden in one scenario: the webhook secret, the database password, the webhook URL token. */
export interface Secrets {
  secret: string;
  password: string;
  urlToken: string;
}

/** Values that tend to break parsers. */
export const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '-1', '0', '1e3', 'NaN', '\u0000', '\ud800', 'ON', 'sqlite:', '%zz'),
);

/** Good and bad values for each shared setting; the secret ones carry the scenario's secrets. */
export function sharedValues(s: Secrets): Record<string, fc.Arbitrary<string>> {
  return {
    HOOKS_DATABASE_URL: fc.oneof(
      fc.constantFrom(
        'sqlite::memory:',
        `postgres://app:${s.password}@db.internal:5432/hooks?schema=webhooks`,
        `postgres://app:${s.password}@db.internal/hooks?schema=Bad-Name`,
        `postgresql://app:${s.password}@[::1/hooks`,
        `mysql://root:${s.password}@db/x`,
        `postgres://app@db/x?password=${s.password}&schema=pg_x`,
        `sqlite:\u0000${s.password}`,
      ),
      junk,
    ),
    HOOKS_WEBHOOK_URL: fc.oneof(
      fc.constantFrom(
        `https://receiver.test/hooks?token=${s.urlToken}`,
        `ftp://receiver.test/${s.urlToken}`,
        `receiver.test/${s.urlToken}`,
        `javascript:${s.urlToken}`,
      ),
      junk,
    ),
    HOOKS_WEBHOOK_SECRET: fc.oneof(
      fc.constantFrom(
        s.secret,
        `whsec_${Buffer.from(s.secret).toString('base64')}`,
        `whsec_${s.secret}!`,
        `whsec_${s.secret}`,
        `whsk_${s.secret}`,
      ),
      junk,
    ),
    HOOKS_DELIVERY_MODE: fc.oneof(fc.constantFrom('sync', 'ASYNC', 'deferred', 'later'), junk),
    HOOKS_MAX_ATTEMPTS: fc.oneof(fc.constantFrom('1', '8', '100', '101', '-3', '2.5'), junk),
    HOOKS_RETRY_SCHEDULE: fc.oneof(fc.constantFrom('0,5s,5m', '0,100ms', '0,5x', '31d', '-1s'), junk),
    HOOKS_SIGNATURE_SCHEME: fc.oneof(
      fc.constantFrom('campaignflow', 'standard-webhooks', 'github', 'svix', 'md5'),
      junk,
    ),
    HOOKS_LOG_LEVEL: fc.oneof(fc.constantFrom('debug', 'silent', 'loud'), junk),
    HOOKS_ALLOW_LOOPBACK: fc.oneof(fc.constantFrom('on', 'false', 'maybe'), junk),
    HOOKS_SSRF_ALLOW: fc.oneof(
      fc.constantFrom('10.1.0.0/16,hooks.internal', '::1', '10.0.0.0/33', 'a..b', ',,', '300.1.1.1'),
      junk,
    ),
  };
}

/** A scenario: its secrets, an environment and a command line built from `values`. */
export function scenario(
  values: (secrets: Secrets) => Record<string, fc.Arbitrary<string>>,
  flagOf: (env: string) => string | undefined,
) {
  return fc.record({ secret: token, password: token, urlToken: token }).chain((secrets) => {
    const table = values(secrets);
    const env = fc.record(table, { requiredKeys: [] });
    const flag = fc.constantFrom(...Object.keys(table)).chain((name) =>
      table[name]!.chain((value) => {
        const spelled = `--${flagOf(name) ?? name.toLowerCase()}`;
        return fc.constantFrom([`${spelled}=${value}`], [spelled, value], [spelled]);
      }),
    );
    const stray = fc.oneof(
      fc.constantFrom(['--'], ['-h'], ['--unknown-flag=1'], ['--webhook-secrt', secrets.secret]),
      // A pasted secret after '--' (so no bare flag before it takes it as its value) or after a dash.
      fc.constantFrom(['--', secrets.secret], [`-${secrets.password}`]),
    );
    const argv = fc
      .array(fc.oneof({ weight: 4, arbitrary: flag }, { weight: 1, arbitrary: stray }), { maxLength: 4 })
      .map((parts) => parts.flat());
    return fc.record({ secrets: fc.constant(secrets), env, argv });
  });
}

/** True when the setting an error names was given: an environment variable or a flag on the command line. */
export function wasGiven(
  field: string,
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
): boolean {
  if (field === 'argv') return argv.length > 0;
  if (field in env) return true;
  // A short option may sit in a group: '-hX' gives -h and -X.
  const short = /^-[^-]$/.test(field) ? field[1]! : undefined;
  return argv.some(
    (arg) => arg.startsWith(field) || (short !== undefined && /^-[^-]/.test(arg) && arg.includes(short)),
  );
}
