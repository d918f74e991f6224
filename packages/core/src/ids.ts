const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
let lastTime = -1;
const lastRandom = new Uint8Array(10);
/** `encodeTime(lastTime)`, kept: ids made in the same millisecond share it. */
let lastTimeText = '';
/** The time `lastTimeText` encodes. */
let timeOfText = -1;

/**
 * A new event id: `evt_` and a 26-character ULID (48-bit millisecond time, 80 random bits), so ids sort by
 * creation time, are unique across processes and machines, and increase strictly within one process.
 *
 * @example
 * const id = createEventId(); // 'evt_01JD3QZ5R3X0M6Q4T1V8W9Y2ZA'
 */
export function createEventId(now: number = Date.now()): string {
  return `evt_${createUlid(now)}`;
}

/** A ULID (Crockford base32), monotonic within this process. */
export function createUlid(now: number = Date.now()): string {
  if (now > lastTime) {
    lastTime = now;
    crypto.getRandomValues(lastRandom);
  } else {
    incrementRandom();
  }
  if (timeOfText !== lastTime) {
    lastTimeText = encodeTime(lastTime);
    timeOfText = lastTime;
  }
  return lastTimeText + encodeRandom();
}

function incrementRandom(): void {
  for (let index = lastRandom.length - 1; index >= 0; index--) {
    const next = (lastRandom[index]! + 1) & 0xff;
    lastRandom[index] = next;
    if (next !== 0) return;
  }
  lastTime += 1;
}

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let index = 0; index < 10; index++) {
    out = CROCKFORD[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function encodeRandom(): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of lastRandom) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

/** Milliseconds since the epoch encoded in an id made by `createEventId`, or undefined. */
export function timeOfEventId(id: string): number | undefined {
  const match = /^evt_([0-9A-HJKMNP-TV-Z]{10})[0-9A-HJKMNP-TV-Z]{16}$/.exec(id);
  if (!match) return undefined;
  let time = 0;
  for (const char of match[1]!) time = time * 32 + CROCKFORD.indexOf(char);
  return time;
}
