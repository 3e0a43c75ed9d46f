/**
 * Verifies the notary journal's hash chain in the configured database
 * (DATABASE_URL, or the embedded one in DATA_DIR: stop the server first), and
 * optionally exports it for the notary:
 *
 *   npm run journal:verify                       # exit 0 when intact, 1 with the breaks listed
 *   npm run journal:verify -- --export json      # the journal with its hashes on stdout
 *   npm run journal:verify -- --export csv --notary <staffId> > journal.csv
 *
 * The report goes to stderr when exporting, so stdout is the file alone.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseConfig } from '../config';
import { openDatabase } from '../db/openDatabase';
import { parseInput } from '../http/validate';
import { createLogger } from '../logger';
import { journalToCsv, journalToJson } from '../notary/journalExport';
import { NotaryJournal, verifyJournal } from '../notary/NotaryJournal';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { export: { type: 'string' }, notary: { type: 'string' } } });
  const args = parseInput(
    z.object({ export: z.enum(['json', 'csv']).optional(), notary: z.uuid().optional() }),
    values,
    'arguments',
  );
  const config = parseConfig(process.env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config.database, logger);
  try {
    const result = await verifyJournal(db);
    const say = args.export ? console.error : console.log;
    if (result.ok) {
      say(`journal intact: ${result.entries} entries, head #${result.head.lastSeq} ${result.head.lastHash}`);
    } else {
      say(`journal BROKEN: ${result.problems.length} problem(s) in ${result.entries} entries`);
      for (const p of result.problems) say(`  #${p.seq}: ${p.problem}`);
    }
    if (args.export) {
      const journal = new NotaryJournal(db);
      const rows = await journal.rows({ notaryId: args.notary });
      process.stdout.write(
        args.export === 'csv' ? journalToCsv(rows) : `${JSON.stringify(journalToJson(rows, result.head), null, 2)}\n`,
      );
    }
    return result.ok ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`journal:verify: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
