// CPU time of the local PostgreSQL server, read from /proc, so the engine bench can show what each event
// costs the database next to what it costs the sender and the receiver.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * CPU time (user + system, in microseconds) used so far by every process of this machine named `postgres`
 * (the server and its backends, checkpointer, WAL writer...), or undefined when /proc cannot tell (not
 * Linux, or no PostgreSQL running here). Resolution is one clock tick (10 ms); backends that exit are lost.
 *
 * @example
 * const before = postgresCpuUs(); await work(); const used = postgresCpuUs()! - before!;
 */
export function postgresCpuUs(): number | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  let ticks = 0;
  let found = false;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue;
    }
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (stat.slice(open + 1, close) !== 'postgres') continue;
    // Fields after the command: state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(close + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
    found = true;
  }
  return found ? Math.round((ticks * 1_000_000) / clockTicks()) : undefined;
}
