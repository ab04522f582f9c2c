/**
 * docs/device-cloud.md is the contract a vendor implements from alone, so its device format cannot drift from the
 * model the driver checks: the type list is exactly DEVICE_TYPES, and the property table exactly PROPERTY_ACTIONS
 * with each numeric property's range.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEVICE_TYPES,
  describeRange,
  isNumericProperty,
  NUMERIC_RANGES,
  PROPERTY_ACTIONS,
} from '../../functions/domain/protocol/device.ts';

const doc = readFileSync('docs/device-cloud.md', 'utf8');

/** The text between `<!-- name… -->` and `<!-- /name -->`. */
function section(name: string): string {
  const found = new RegExp(`<!-- ${name}[^>]*-->\\n([\\s\\S]*?)<!-- /${name} -->`).exec(doc);
  if (!found?.[1]) throw new Error(`docs/device-cloud.md has no ${name} section`);
  return found[1];
}
const codes = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

describe('docs/device-cloud.md', () => {
  it('lists exactly the types of the device model, in its order, and says how many', () => {
    expect(codes(section('device-types'))).toEqual([...DEVICE_TYPES]);
    expect(doc).toContain(`The ${DEVICE_TYPES.length} types:`);
  });

  it("lists every property with exactly its action names, and each numeric property's range", () => {
    const rows = section('device-properties')
      .trim()
      .split('\n')
      .slice(2)
      .map((line) => line.split('|').slice(1, -1));
    const documented = Object.fromEntries(rows.map(([property, actions]) => [codes(property ?? '')[0], codes(actions ?? '')]));
    expect(documented).toEqual(Object.fromEntries(Object.entries(PROPERTY_ACTIONS).map(([p, names]) => [p, [...names]])));
    for (const [property, , state] of rows) {
      const name = codes(property ?? '')[0] ?? '';
      if (isNumericProperty(name)) expect(state, name).toContain(describeRange(NUMERIC_RANGES[name]));
    }
  });
});
