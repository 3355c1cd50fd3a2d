// Writes the tables of docs/configuration.md from the services' own config schemas, so the
// documentation cannot drift from the code: each variable's name and doc comment come from its
// src/config.ts (TypeScript's compiler API), its default from parsing an empty environment.
//
//   npx tsx scripts/config-table.ts --write   rewrite the tables between the markers
//   npx tsx scripts/config-table.ts --check   exit 1 if docs/configuration.md is out of date
//
// Run it after `npx tsc -b`: under tsx the services import the toolkit as built.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { configSchema as authSchema } from '../authentication-service/src/config.js';
import { configSchema as brokerSchema } from '../broker-service/src/config.js';
import { configSchema as frontEndSchema } from '../front-end/src/config.js';
import { configSchema as listenerSchema } from '../listener-service/src/config.js';
import { configSchema as loggerSchema } from '../logger-service/src/config.js';
import { configSchema as mailSchema } from '../mail-service/src/config.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
export const CONFIGURATION_DOC = `${repoRoot}docs/configuration.md`;
const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';

/** The little of a zod schema this script uses, so it does not depend on zod's types. */
interface Field {
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: { message: string }[] } };
}
interface Schema extends Field {
  shape: Record<string, Field>;
}

const SERVICES: { folder: string; schema: Schema }[] = [
  { folder: 'broker-service', schema: brokerSchema },
  { folder: 'authentication-service', schema: authSchema },
  { folder: 'logger-service', schema: loggerSchema },
  { folder: 'listener-service', schema: listenerSchema },
  { folder: 'mail-service', schema: mailSchema },
  { folder: 'front-end', schema: frontEndSchema },
];

interface Declaration {
  comment: string;
  /** The property's initializer, to tell defaults computed from the machine. */
  source: string;
}

/** Every UPPER_CASE property of a file's object literals: its doc comment and its source text. */
function declarationsIn(file: string): Map<string, Declaration> {
  const source = ts.createSourceFile(file, readFileSync(`${repoRoot}${file}`, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = new Map<string, Declaration>();
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && /^[A-Z][A-Z0-9_]*$/.test(node.name.text)) {
      // The comment's raw text: JSDoc would read "@domains" in a sentence as a tag and cut it there.
      const comment = ts
        .getJSDocCommentsAndTags(node)
        .filter(ts.isJSDoc)
        .map((doc) => doc.getText(source).replace(/^\/\*\*|\*\/$/g, '').replace(/^\s*\* ?/gm, ''))
        .join(' ');
      found.set(node.name.text, { comment: comment.replace(/\s+/g, ' ').trim(), source: node.initializer.getText(source) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function describeDefault(value: unknown, declaration: Declaration | undefined): string {
  if (value === undefined) return 'unset';
  if (value === '') return 'empty';
  // A default derived from the cores would differ from one machine to the next.
  if (typeof value === 'number' && declaration?.source.includes('availableParallelism()')) return `${value / availableParallelism()} per core`;
  return `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
}

/** What a field accepts, in its own words: the message it gives for a value that is no good. */
function describeAccepts(field: Field): string {
  const result = field.safeParse('?');
  if (result.success) return 'any text';
  const message = result.error.issues[0]?.message ?? '';
  const choices = /^Invalid option: expected one of (.*)$/.exec(message);
  if (choices?.[1]) return `one of ${choices[1].replaceAll('"', '').split('|').join(', ')}`;
  return message.replace(/^(expected|must be) /, '');
}

const cell = (text: string) => text.replaceAll('|', '\\|');

function table(names: string[], schema: Schema, declarations: Map<string, Declaration>): string {
  const parsed = schema.safeParse({});
  if (!parsed.success) throw new Error(`an empty environment does not parse: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  const defaults = parsed.data as Record<string, unknown>;
  const rows = names.map((name) => {
    const field = schema.shape[name];
    if (!field) throw new Error(`${name} is not in the schema`);
    const declaration = declarations.get(name);
    return `| \`${name}\` | ${cell(describeDefault(defaults[name], declaration))} | ${cell(describeAccepts(field))} | ${cell(declaration?.comment ?? '')} |`;
  });
  return ['| variable | default | accepts | what it is for |', '|---|---|---|---|', ...rows].join('\n');
}

/** The generated part of docs/configuration.md, markers included. */
export function renderTables(): string {
  const common = declarationsIn('toolkit/src/config.ts');
  const commonNames = Object.keys(brokerSchema.shape).filter((name) => common.has(name));
  const sections = [
    `### Every service\n\nFrom \`toolkit/src/config.ts\` (\`commonConfig\`).\n\n${table(commonNames, brokerSchema, common)}`,
    ...SERVICES.map(({ folder, schema }) => {
      const own = Object.keys(schema.shape).filter((name) => !commonNames.includes(name));
      return `### ${folder}\n\nFrom \`${folder}/src/config.ts\`.\n\n${table(own, schema, declarationsIn(`${folder}/src/config.ts`))}`;
    }),
  ];
  const notice = '<!-- Generated by scripts/config-table.ts from the services\' src/config.ts: edit those, then run npx tsx scripts/config-table.ts --write -->';
  return `${START}\n${notice}\n\n${sections.join('\n\n')}\n\n${END}`;
}

/** docs/configuration.md with its generated part replaced by `tables`. */
export function withTables(document: string, tables: string): string {
  const start = document.indexOf(START);
  const end = document.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/configuration.md has no ${START} ... ${END} markers`);
  return document.slice(0, start) + tables + document.slice(end + END.length);
}

function main(mode: string | undefined): number {
  if (mode !== '--write' && mode !== '--check') {
    console.error('usage: npx tsx scripts/config-table.ts --write | --check');
    return 2;
  }
  const current = readFileSync(CONFIGURATION_DOC, 'utf8');
  const wanted = withTables(current, renderTables());
  if (mode === '--write') {
    if (wanted !== current) writeFileSync(CONFIGURATION_DOC, wanted);
    console.log(wanted === current ? 'docs/configuration.md is up to date' : 'docs/configuration.md rewritten');
    return 0;
  }
  if (wanted === current) return 0;
  console.error('docs/configuration.md is out of date: run npx tsx scripts/config-table.ts --write');
  return 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv[2]);
