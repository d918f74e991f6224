// Runs one benchmark case in a fresh process: receives a CaseRequest over IPC, runs it (under the V8 CPU
// profiler when asked), and answers { type: 'done', result, usage } (peak RSS and CPU of this process plus
// those of its worker children) or { type: 'failed', error }, then exits.
import { writeFileSync } from 'node:fs';
import type { CaseMessage, CaseRequest, CaseSpec } from './case-process.js';
import { startCpuProfile } from './cpu-profile.js';
import { runHooksSender } from './hooks-sender.js';
import { runNotifierMemory } from './notifier-memory.js';
import { runPgBossSender } from './pgboss-sender.js';
import { runRawUndici } from './raw-undici.js';
import { startRssSampler } from './rss-sampler.js';
import { runScaleDelivery } from './scale.js';

async function run(spec: CaseSpec, profileFile: string | undefined): Promise<CaseMessage> {
  const rss = startRssSampler();
  const cpu = process.cpuUsage();
  const profile = profileFile === undefined ? undefined : await startCpuProfile();
  let result: unknown = null;
  let extraRss = 0;
  let extraCpu = 0;
  if (spec.kind === 'raw') result = await runRawUndici(spec.options);
  else if (spec.kind === 'pgboss') result = await runPgBossSender(spec.options);
  else if (spec.kind === 'scale') result = await runScaleDelivery(spec.options);
  else if (spec.kind === 'notifier') result = await runNotifierMemory(spec.options);
  else if (spec.kind === 'hooks') {
    const hooks = await runHooksSender(spec.options);
    for (const worker of hooks.workerUsage) {
      extraRss += worker.peakRssBytes;
      extraCpu += worker.cpuMicros;
    }
    result = hooks;
  }
  const used = process.cpuUsage(cpu);
  if (profile !== undefined && profileFile !== undefined)
    writeFileSync(profileFile, JSON.stringify(await profile.stop()));
  return {
    type: 'done',
    result,
    usage: { peakRssBytes: rss.stop() + extraRss, cpuMicros: used.user + used.system + extraCpu },
  };
}

process.once('message', ({ spec, profileFile }: CaseRequest) => {
  run(spec, profileFile)
    .catch(
      (error: unknown): CaseMessage => ({
        type: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
    )
    .then((message) => {
      process.send?.(message, () => process.exit(0));
    });
});
process.on('disconnect', () => process.exit(0));
