/** A bundle entry for the stack-trace tests: it fails two calls deep, in a chunk of its own. */
export const handler = async (): Promise<never> => {
  const { failDeep } = await import('./deep.ts');
  return failDeep('the fixture');
};
