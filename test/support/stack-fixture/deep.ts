/** Loaded on demand, so the bundle puts it in a chunk. */
export function failDeep(value: string): never {
  return explode(value);
}

function explode(value: string): never {
  throw new Error(`exploded on ${value}`);
}
