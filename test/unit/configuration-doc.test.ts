/** docs/configuration.md lists every setting of the config schema, in a table that renders as one. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../functions/config.ts';

const SECTION = "## The driver's settings";

/** The section's lines, up to the next heading. */
function sectionLines(markdown: string): string[] {
  const start = markdown.indexOf(SECTION);
  if (start < 0) throw new Error(`docs/configuration.md has no "${SECTION}"`);
  const rest = markdown.slice(start + SECTION.length);
  const end = rest.search(/\n## /);
  return (end < 0 ? rest : rest.slice(0, end)).split('\n');
}

/** A row's cells: split on the pipes that are not escaped (`\|` in a regex default). */
const cellsOf = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());

/**
 * The settings table, read as Markdown renders it: one run of `|` lines under its header and delimiter row. A line
 * starting with `|` anywhere else in the section is a row that fell out of the table (it renders as raw text).
 */
function settingsTable(markdown: string): { variables: string[]; problems: string[] } {
  const lines = sectionLines(markdown);
  const problems: string[] = [];
  const header = lines.findIndex((line) => line.startsWith('| variable |'));
  if (header < 0) return { variables: [], problems: ['no table headed "| variable | default | meaning |"'] };
  if (!/^\|(\s*-+\s*\|){3}$/.test(lines[header + 1] ?? '')) problems.push('the header is not followed by a delimiter row of three columns');
  let end = header + 2;
  while (end < lines.length && lines[end]!.startsWith('|')) end++;
  const rows = lines.slice(header + 2, end);
  for (const row of rows) if (cellsOf(row).length !== 3) problems.push(`a row without three cells: ${row}`);
  lines.forEach((line, i) => {
    if (line.startsWith('|') && (i < header || i >= end)) problems.push(`a row outside the table (line ${i + 1} of the section): ${line}`);
  });
  const variables = rows.flatMap((row) => [...(cellsOf(row)[0] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
  return { variables, problems };
}

describe('docs/configuration.md', () => {
  const markdown = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');

  it('the settings table parses as one table, with no row left outside it', () => {
    expect(settingsTable(markdown).problems).toEqual([]);
  });

  it('lists every setting of the config schema', () => {
    const { variables } = settingsTable(markdown);
    expect(CONFIG_KEYS.filter((key) => !variables.includes(key))).toEqual([]);
  });

  it('notices a row that a paragraph cut off from the table, and a setting missing from it', () => {
    const broken = `${SECTION}\n\n| variable | default | meaning |\n|---|---|---|\n| \`TABLE_NAME\` | none | the table |\n\nA paragraph.\n| \`DEVICE_CLOUD\` | \`virtual\` | which cloud |\n`;
    const { variables, problems } = settingsTable(broken);
    expect(problems).toEqual(['a row outside the table (line 8 of the section): | `DEVICE_CLOUD` | `virtual` | which cloud |']);
    expect(variables).toEqual(['TABLE_NAME']);
  });
});
