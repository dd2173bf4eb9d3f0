import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EnvironmentConfigSchema, resolveEnvironmentConfig } from '../../stacks/config/index.js';
import { README_PATH, renderSettingsTable, replaceSettingsSection, settingRows, SETTINGS_END, SETTINGS_START } from '../../tools/docs/settings-table.js';

/** Dotted paths of every leaf of a resolved config (maps count as one leaf). */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object' || Object.keys(value).length === 0 || prefix === 'replicas' || prefix === 'images.overrides') {
    return [prefix];
  }
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

describe('README settings table', () => {
  it('matches the table generated from the config schema (run `npm run docs:settings` when this fails)', () => {
    const readme = readFileSync(README_PATH, 'utf8');
    expect(readme).toContain(SETTINGS_START);
    expect(readme).toContain(SETTINGS_END);
    expect(replaceSettingsSection(readme, renderSettingsTable())).toBe(readme);
  });

  it('has a row for every setting the schema resolves, with its default', () => {
    const defaults = resolveEnvironmentConfig('dev', {});
    const rows = settingRows();
    const covered = new Set(rows.map((row) => row.valuePath.join('.')));
    const leaves = leafPaths({ ...defaults, environment: undefined }).filter((path) => path !== 'environment');
    expect(leaves.filter((path) => !covered.has(path))).toEqual([]);
    expect(rows.find((row) => row.path === 'elasticsearch.heapMb')).toMatchObject({ type: 'integer 256–31744', defaultValue: '`1024`' });
    expect(rows.find((row) => row.path === 'replicas.<service>')?.defaultValue).toBe('none');
    expect(rows.every((row) => row.description.length > 0)).toBe(true);
  });

  it('changes when the schema gains a setting, so a stale README fails the first test', () => {
    const extended = EnvironmentConfigSchema.extend({
      tracing: z.object({ sampleRate: z.number().min(0).max(1).default(0.1).describe('Share of requests traced.') }).prefault({}),
    });
    const rows = settingRows(z.toJSONSchema(extended, { io: 'input' }) as Parameters<typeof settingRows>[0]);
    expect(rows.find((row) => row.path === 'tracing.sampleRate')).toMatchObject({ type: 'number 0–1', defaultValue: '`0.1`' });
  });

  it('replaces only what is between the markers, and insists on them', () => {
    const readme = `# Title\n${SETTINGS_START}\nold table\n${SETTINGS_END}\nafter\n`;
    expect(replaceSettingsSection(readme, 'NEW')).toBe(`# Title\n${SETTINGS_START}\nNEW\n${SETTINGS_END}\nafter\n`);
    expect(() => replaceSettingsSection('# no markers', 'NEW')).toThrow(/needs the markers/);
  });
});
