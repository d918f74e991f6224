import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineFacts } from './machine.js';
import type { NotifierMemoryResult } from './notifier-memory.js';
import type { DeliveryRow } from './result-types.js';
import type { ScaleRow } from './scale.js';
import type { SigningResult } from './signing.js';

/** The sections of a run, and the data each one saves. */
export interface SectionData {
  /** Raw undici, pg-boss and @hooks deliveries. */
  delivery: DeliveryRow[];
  /** Claim + deliver with large backlogs. */
  scale: ScaleRow[];
  /** Notifier memory and accounting. */
  notifier: NotifierMemoryResult;
  /** Signing ops/s. */
  signing: SigningResult;
}

/** A section's name. */
export type SectionName = keyof SectionData;

/** Every section, in run order. */
export const SECTIONS: readonly SectionName[] = ['delivery', 'scale', 'notifier', 'signing'];

/** One section's results file (`<dir>/<section>.json`). */
export interface SectionFile<K extends SectionName = SectionName> {
  /** Which section. */
  section: K;
  /** A `--quick` smoke run. */
  quick: boolean;
  /** The command line that produced it. */
  command: string;
  /** ISO start and end time. */
  startedAt: string;
  /** ISO end time. */
  finishedAt: string;
  /** Load averages (1, 5, 15 min) at the section's start and end. */
  loadAverage: { start: number[]; end: number[] };
  /** The machine it ran on. */
  machine: MachineFacts;
  /** How it was measured, in words. */
  method: Record<string, string>;
  /** The figures. */
  data: SectionData[K];
}

/** All section files found in a results directory. */
export type Sections = { [K in SectionName]?: SectionFile<K> };

/** Writes `<dir>/<section>.json`. */
export function writeSection<K extends SectionName>(dir: string, file: SectionFile<K>): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${file.section}.json`);
  writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
  return path;
}

/** Reads every section file present in `dir` (sections run earlier with `--only` included). */
export function readSections(dir: string): Sections {
  const sections: Sections = {};
  for (const name of SECTIONS) {
    const path = join(dir, `${name}.json`);
    if (!existsSync(path)) continue;
    const file = JSON.parse(readFileSync(path, 'utf8')) as SectionFile;
    if (file.section === name) (sections as Record<string, SectionFile>)[name] = file;
  }
  return sections;
}
