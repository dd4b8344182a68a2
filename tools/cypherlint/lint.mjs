#!/usr/bin/env node
// Offline Cypher check with Neo4j's own parser and semantic analysis (@neo4j-cypher/language-support).
//
// Input (stdin, JSON): either an array of statements, or {"schema": {...}, "statements": [...]}.
//   statement: {"name": "PERSON_UPSERT", "query": "UNWIND $rows AS row ...", "params": {"rows": "LIST<MAP>"}}
//   schema:    {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...], "builtins": true}  (all optional)
// Output (stdout, JSON): {"linted": N, "errors": E, "warnings": W, "results": [{"name", "diagnostics": [...]}]}
// Exit code: 0 clean (warnings allowed), 1 some statement has an error, 2 unusable input.
//
// Parameters are declared (with a sample value per declared type) rather than silenced, so a statement that uses
// a parameter its registry entry does not declare is an error. `--ignore-undeclared-params` drops those diagnostics
// instead (isNotParamError), for linting ad-hoc text.
// When a schema is given it is taken as complete: a label, relationship type or property key outside it is an
// error (the linter reports those as warnings, since it cannot know the database is empty). Deprecated syntax is
// an error too: it is what the next Cypher version removes.
// "builtins": true declares Neo4j 5's built-in functions and procedures (the registry the package ships, captured
// from a Neo4j 5 server, less APOC and GDS), so a misspelt or plugin-only function is an error; without it the
// linter cannot check function names at all.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isNotParamError, lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const SAMPLES = {
  STRING: 'text',
  INTEGER: 1,
  FLOAT: 1.5,
  BOOLEAN: true,
  MAP: { key: 'value' },
  ANY: null,
  'LIST<STRING>': ['text'],
  'LIST<INTEGER>': [1],
  'LIST<FLOAT>': [1.5],
  'LIST<MAP>': [{ key: 'value' }],
  'LIST<ANY>': [],
  // temporal values travel as driver types; for the linter their type is what matters, not the value
  DATE: '2024-01-01',
  DATETIME: '2024-01-01T00:00:00Z',
};

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };
const PLUGINS = /^(apoc|gds|genai)\./;

function builtins() {
  const functions = testData.mockSchema.functions['CYPHER 5'];
  const procedures = testData.mockSchema.procedures['CYPHER 5'];
  return {
    functions: { 'CYPHER 5': Object.fromEntries(Object.entries(functions).filter(([, f]) => f.isBuiltIn)) },
    procedures: { 'CYPHER 5': Object.fromEntries(Object.entries(procedures).filter(([name]) => !PLUGINS.test(name))) },
  };
}
const ESCALATE = [/is not present in the database/, /\bdeprecated\b/i];

function fail(message) {
  process.stderr.write(`cypherlint: ${message}\n`);
  process.exit(2);
}

function sampleParams(name, params) {
  const out = {};
  for (const [key, type] of Object.entries(params ?? {})) {
    const upper = String(type).toUpperCase().replace(/\s+/g, '');
    if (!(upper in SAMPLES)) fail(`statement ${name}: parameter $${key} has unknown type ${type}`);
    out[key] = SAMPLES[upper];
  }
  return out;
}

function lintOne(statement, schema, ignoreParams) {
  const { name, query, params } = statement;
  if (typeof name !== 'string' || typeof query !== 'string') fail('every statement needs a string name and query');
  const { builtins: withBuiltins, strict, ...known } = schema;
  const dbSchema = {
    defaultLanguage: 'CYPHER 5',
    ...known,
    ...(withBuiltins ? builtins() : {}),
    parameters: sampleParams(name, params),
  };
  const { diagnostics } = lintCypherQuery(query, dbSchema);
  const kept = ignoreParams ? diagnostics.filter(isNotParamError) : diagnostics;
  return kept.map((d) => {
    let severity = SEVERITY[d.severity] ?? 'error';
    if (severity === 'warning' && strict !== false && ESCALATE.some((re) => re.test(d.message))) {
      severity = 'error';
    }
    return {
      severity,
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      text: query.slice(d.offsets.start, d.offsets.end),
    };
  });
}

function readInput() {
  let input;
  try {
    input = JSON.parse(readFileSync(0, 'utf8'));
  } catch (err) {
    fail(`stdin is not JSON: ${err.message}`);
  }
  const statements = Array.isArray(input) ? input : input?.statements;
  if (!Array.isArray(statements)) fail('expected a JSON array of statements or {"statements": [...]}');
  const schema = Array.isArray(input) ? {} : (input.schema ?? {});
  return { statements, schema };
}

// Semantic analysis costs up to a second per statement, so statements are shared out over worker threads
// (--jobs N, default: the cores available, at most 4); results keep the input order.
function lintAll(statements, schema, ignoreParams, jobs) {
  if (jobs <= 1 || statements.length < 2) {
    return Promise.resolve(statements.map((s) => ({ name: s.name, diagnostics: lintOne(s, schema, ignoreParams) })));
  }
  const shares = Array.from({ length: jobs }, (_, k) => statements.map((s, i) => [i, s]).filter(([i]) => i % jobs === k));
  const runs = shares.map(
    (share) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { share, schema, ignoreParams } });
        worker.once('message', resolve);
        worker.once('error', reject);
        worker.once('exit', (code) => code !== 0 && reject(new Error(`lint worker exited with ${code}`)));
      }),
  );
  return Promise.all(runs).then((parts) => parts.flat().sort((a, b) => a[0] - b[0]).map(([, r]) => r));
}

async function main() {
  const ignoreParams = process.argv.includes('--ignore-undeclared-params');
  const jobsArg = process.argv.indexOf('--jobs');
  const jobs = jobsArg > 0 ? Number(process.argv[jobsArg + 1]) : Math.min(4, availableParallelism());
  if (!Number.isInteger(jobs) || jobs < 1) fail('--jobs takes a positive integer');
  const { statements, schema } = readInput();
  for (const s of statements) sampleParams(s.name, s.params); // reject bad input before starting workers
  const results = await lintAll(statements, schema, ignoreParams, jobs);
  const count = (sev) => results.reduce((n, r) => n + r.diagnostics.filter((d) => d.severity === sev).length, 0);
  const report = { linted: results.length, errors: count('error'), warnings: count('warning'), results };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exitCode = report.errors > 0 ? 1 : 0;
}

if (isMainThread) {
  main().catch((err) => fail(err.stack ?? String(err)));
} else {
  const { share, schema, ignoreParams } = workerData;
  parentPort.postMessage(share.map(([i, s]) => [i, { name: s.name, diagnostics: lintOne(s, schema, ignoreParams) }]));
}
