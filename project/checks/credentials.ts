import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { execaSync } from 'execa';
import { unfitForProduction } from '../../toolkit/src/secrets.js';
import { REPO_ROOT } from './validators.js';

/** Where credentials of a deployment are written: the deployment files, the container tests, the CI workflow. */
export const DEPLOYMENT_DIRS = ['project', 'tests/containers', '.github'];

/** A credential written in a file: a password, secret or token variable's value, or the password of a URL or a DSN. */
export interface WrittenCredential {
  file: string;
  line: number;
  /** The variable, key or kind of address that holds it. */
  holder: string;
  value: string;
}

/** The repository's files under `dirs` (tracked, or new and not ignored), but lock files and binaries. */
export function filesUnder(dirs: string[]): string[] {
  const listed = execaSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '--', ...dirs], { cwd: REPO_ROOT }).stdout;
  return [...new Set(listed.split('\n').filter((f) => f && !/(^|\/)(package-lock\.json|go\.sum)$|\.(png|ico|gz)$/.test(f)))].map((f) => join(REPO_ROOT, f));
}

// NAME: value, NAME=value, "name": "value": a name that ends in password, secret, token or pass.
// The name starts a word: not inside another, nor ${NAME:-default}, whose default is made at run time.
const NAMED = /(?<![\w.-]|\$\{)(["']?)((?:[A-Za-z_][\w.-]*?)?(?:password|passwd|secret|token)|[A-Za-z_][\w.-]*?[_-]pass)\1\s*[:=]\s*(?:"([^"]*)"|'([^']*)'|([^\s"',;})#]+))/gi;
// scheme://user:password@host
const IN_URL = /\b([a-z][a-z0-9+.-]*):\/\/[^\s:@/'"`]+:([^\s@/'"`]+)@/gi;

/** Every credential written in `files`; values made at run time ($VAR, ${VAR}, $(command)) are not written, so not listed. */
export function writtenCredentials(files: string[]): WrittenCredential[] {
  const found: WrittenCredential[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (text.includes('\0')) continue;
    // In code a value is a string literal; an unquoted word there is a variable's name.
    const code = /\.([cm]?[jt]s|go)$/.test(file);
    text.split('\n').forEach((content, index) => {
      const add = (holder: string, value: string | undefined) => {
        if (value && !value.includes('$') && !found.some((f) => f.file === file && f.line === index + 1 && f.value === value)) {
          found.push({ file, line: index + 1, holder, value });
        }
      };
      for (const match of content.matchAll(NAMED)) {
        const [, , name, doubleQuoted, singleQuoted, bare] = match;
        if (code && bare !== undefined) continue;
        add(name!, doubleQuoted ?? singleQuoted ?? bare);
      }
      for (const [, scheme, password] of content.matchAll(IN_URL)) add(`a ${scheme}:// URL's password`, password);
    });
  }
  return found;
}

/**
 * Each written credential that a service would take in production: neither on the
 * known list of toolkit/src/secrets.ts nor refused as easy to guess. Empty when
 * every credential in the files is one that production refuses.
 */
export function credentialsProductionWouldTake(files: string[]): string[] {
  return writtenCredentials(files)
    .filter(({ value }) => unfitForProduction(value, 'password') === undefined)
    .map(({ file, line, holder, value }) => `${relative(REPO_ROOT, file)}:${line}: ${holder} holds "${value}", which production would take: add it to KNOWN_VALUES in toolkit/src/secrets.ts, or take it from the deployment`);
}
