// Plain JavaScript on purpose: this must run, and explain itself, on the old system node too.
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  console.error(
    `homebase-driver needs Node 24 or newer (the Lambda runtime it deploys to), but this is Node ${process.versions.node} at ${process.execPath}.\n` +
      'Run the scripts through npm (npm start, npm test) after a plain `npm ci`: the `node` devDependency\n' +
      'installs Node 24 into node_modules/.bin. `npm ci --ignore-scripts` skips that install, so run `npm ci` again without it.',
  );
  process.exit(1);
}
