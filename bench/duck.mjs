// bench/duck.mjs THREADS SQL|@FILE
// Runs SQL on an in-memory DuckDB with THREADS threads and prints the first
// column of every result row on stdout, one per line; the query's own time
// (without Node's start-up) goes to stderr as "duckdb: query MS ms".
// Used by bench/run.sh and bench/interop.sh; DuckDB comes from npm
// (@duckdb/node-api in bench/node_modules, see bench/package.json).
import { DuckDBInstance } from '@duckdb/node-api';

import { readFileSync } from 'node:fs';

let [threads, sql] = process.argv.slice(2);
if (!threads || !sql) {
	process.stderr.write('usage: node bench/duck.mjs THREADS SQL|@FILE\n');
	process.exit(2);
}
if (sql.startsWith('@'))
	sql = readFileSync(sql.slice(1), 'utf8');
const db = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await db.connect();
const t0 = performance.now();
const reader = await con.runAndReadAll(sql);
const ms = performance.now() - t0;
const out = reader.getRows().map((r) => String(r[0])).join('\n');
process.stdout.write(out ? out + '\n' : '');
process.stderr.write(`duckdb: query ${ms.toFixed(1)} ms\n`);
