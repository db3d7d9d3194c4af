// Preloaded with `node --import`: records the file of every module the process loads (ES modules
// and CommonJS alike) and writes them, one per line, to $RECORD_MODULES when it exits.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith('file:')) loaded.add(fileURLToPath(url));
    return nextLoad(url, context);
  },
});
process.on('exit', () => writeFileSync(process.env.RECORD_MODULES, [...loaded].join('\n')));
