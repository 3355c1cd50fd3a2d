import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialsProductionWouldTake, DEPLOYMENT_DIRS, filesUnder, writtenCredentials } from './credentials.js';

describe('credentials written in the repository', () => {
  it('when the deployment files, the container tests and the CI workflow are read, every credential in them is one production refuses', () => {
    const files = filesUnder(DEPLOYMENT_DIRS);

    const found = writtenCredentials(files);

    // The scan sees what is there: compose's development values, among others.
    expect(found.map((c) => `${c.file.slice(c.file.indexOf('project/'))} ${c.holder}`)).toContain('project/docker-compose.yml TOKEN_SECRET');
    expect(found.some((c) => c.holder === "a amqp:// URL's password" && c.value === 'guest')).toBe(true);
    expect(credentialsProductionWouldTake(files)).toEqual([]);
  });

  it('when a deployment file holds a credential that is neither known nor easy to guess, names the file, line and holder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'credentials-'));
    const file = join(dir, 'compose.yml');
    const [a, b, c, d] = Array.from({ length: 4 }, () => randomBytes(16).toString('hex'));
    await writeFile(
      file,
      [
        'services:',
        `  postgres: { environment: { POSTGRES_PASSWORD: ${a}, POSTGRES_USER: postgres } }`,
        `  broker: { environment: { RABBIT_URL: "amqp://go-micro:${b}@rabbitmq", DSN: "host=postgres password=${c} dbname=users" } }`,
        `  check: { command: ["curl", "-d", '{"password":"${d}"}'] }`,
        // Made at deploy time, weak, or known: nothing production would take.
        '  mongo: { environment: { MONGO_PASSWORD: "${MONGO_PASSWORD:?set it}", MAIL_PASSWORD: "${MAIL_PASSWORD:-}", ADMIN_PASSWORD: x, SESSION_SECRET: secret } }',
      ].join('\n'),
    );

    const problems = credentialsProductionWouldTake([file]);

    expect(problems.map((p) => p.replace(/^.*\/compose\.yml/, 'compose.yml').replace(/ holds .*/, ''))).toEqual([
      'compose.yml:2: POSTGRES_PASSWORD',
      'compose.yml:3: password',
      "compose.yml:3: a amqp:// URL's password",
      'compose.yml:4: password',
    ]);
    expect(problems[0]).toContain(`POSTGRES_PASSWORD holds "${a}", which production would take: add it to KNOWN_VALUES in toolkit/src/secrets.ts, or take it from the deployment`);
  });
});
