#!/usr/bin/env node
// Writes the CRD YAML into a directory, or checks that the directory is up to date.
//   node libs/crds/dist/generate-cli.js --out deploy/crds [--check]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkCrds, hasDrift, writeCrds } from './generate/write-crds.js';

const USAGE = 'usage: generate-cli --out DIR [--check]';

async function main(argv: string[]): Promise<number> {
  let values: { out?: string | undefined; check?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.out) {
    console.error(`--out is required\n${USAGE}`);
    return 2;
  }
  const dir = path.resolve(values.out);
  if (values.check) {
    const drift = await checkCrds(dir);
    if (!hasDrift(drift)) {
      console.log(`CRDs in ${values.out} are up to date`);
      return 0;
    }
    const lines = [
      ...drift.changed.map((f) => `  changed: ${f}`),
      ...drift.missing.map((f) => `  missing: ${f}`),
      ...drift.extra.map((f) => `  no longer generated: ${f}`),
    ];
    console.error(
      `CRDs in ${values.out} differ from the schemas:\n${lines.join('\n')}\nRun "pnpm crds:generate" and commit the result.`,
    );
    return 1;
  }
  const written = await writeCrds(dir);
  console.log(`wrote ${written.length} CRDs to ${values.out}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
