/**
 * Node's built-in modules, taken with `process.getBuiltinModule` rather than `import`. An ESM import of
 * a built-in builds a facade that reads every export, and for node:http that loads undici: about 40 ms
 * of a Lambda cold start (`npm run bench:lambda`). getBuiltinModule hands over the module as it is.
 */
export const crypto = process.getBuiltinModule('node:crypto');
export const http = process.getBuiltinModule('node:http');
export const https = process.getBuiltinModule('node:https');
