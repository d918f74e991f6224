import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report.js';
import { readSections, SECTIONS } from '../src/section-file.js';
import { escapeXml } from '../src/svg-chart.js';
import { evaluateTargets } from '../src/targets.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));
const dirs: string[] = [];

/** A temp copy of the committed section files, so the report can be rebuilt without touching them. */
function copyOfResults(sections: readonly string[] = SECTIONS): string {
  const dir = mkdtempSync(join(tmpdir(), 'hooks-bench-report-'));
  dirs.push(dir);
  for (const name of sections) cpSync(join(RESULTS, `${name}.json`), join(dir, `${name}.json`));
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('writeReport', () => {
  it('rebuilds the committed targets from the committed section files', () => {
    const dir = copyOfResults();
    const sections = readSections(dir);
    const { targets } = writeReport(dir, sections);
    const committed = JSON.parse(readFileSync(join(RESULTS, 'summary.json'), 'utf8')) as { targets: unknown };
    expect(targets).toEqual(committed.targets);
    expect(targets).toEqual(
      evaluateTargets(sections.delivery?.data, sections.scale?.data, sections.notifier?.data),
    );
    expect(targets.length).toBeGreaterThan(5);
  });

  it('writes REPORT.md with one row per target, both charts and summary.json', () => {
    const dir = copyOfResults();
    const files = writeReport(dir, readSections(dir));
    const markdown = readFileSync(files.markdown, 'utf8');
    for (const target of files.targets) {
      const verdict = target.met ? 'yes' : '**no**';
      expect(markdown).toContain(`| ${target.target} |`);
      expect(markdown).toMatch(
        new RegExp(`\\| ${escapeRegExp(target.target)} \\|[^\\n]*\\| ${escapeRegExp(verdict)} \\|`),
      );
    }
    for (const heading of ['## Targets', '## Deliveries: enqueue to delivered', '## Signing'])
      expect(markdown).toContain(heading);
    expect(files.charts.map((path) => path.slice(dir.length + 1))).toEqual(['deliveries.svg', 'backlog.svg']);
    for (const chart of files.charts) {
      const svg = readFileSync(chart, 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).not.toMatch(/&(?!#\d+;)/);
    }
    const summary = JSON.parse(readFileSync(files.summary, 'utf8')) as { targets: unknown; machine: unknown };
    expect(summary.targets).toEqual(files.targets);
    expect(summary.machine).toMatchObject({ cores: expect.any(Number), node: expect.any(String) });
  });

  it('reports only the sections present, and appends the notes file', () => {
    const dir = copyOfResults(['signing']);
    const notes = join(dir, 'NOTES.md');
    cpSync(fileURLToPath(new URL('../PROFILING.md', import.meta.url)), notes);
    const files = writeReport(dir, readSections(dir), notes);
    const markdown = readFileSync(files.markdown, 'utf8');
    expect(files.targets).toEqual([]);
    expect(files.charts).toEqual([]);
    expect(existsSync(join(dir, 'deliveries.svg'))).toBe(false);
    expect(markdown).toContain('## Signing');
    expect(markdown).not.toContain('## Deliveries');
    expect(markdown).not.toContain('## Throughput vs backlog size');
    expect(markdown.trimEnd().endsWith(readFileSync(notes, 'utf8').trim())).toBe(true);
  });

  it('refuses a directory without section files', () => {
    const dir = copyOfResults([]);
    expect(() => writeReport(dir, readSections(dir))).toThrow(`no section results in ${dir}`);
  });

  it('escapes text placed in charts', () => {
    expect(escapeXml(`a<b>&"c"'`)).toBe('a&#60;b&#62;&#38;&#34;c&#34;&#39;');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
