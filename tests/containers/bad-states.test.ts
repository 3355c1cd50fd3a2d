import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './commands.js';
import { choosePorts, TEST_PROJECT } from './stack.js';

// What `make up` says when it cannot go on: each message names the cause and the way out.
let scratch: string;
beforeAll(() => {
  // A cache folder of its own that any user may write (the engine check runs as nobody below).
  scratch = mkdtempSync(join(tmpdir(), 'go-micro-bad-states-'));
  chmodSync(scratch, 0o777);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('make up in a bad state', () => {
  it('when no engine answers and the user is not root, says what to install and how to let the user in', async () => {
    const env = { GO_MICRO_CACHE: scratch, HOME: scratch, DOCKER_HOST: `unix://${scratch}/no-engine.sock` };
    // As root, the script would install and start an engine itself: run it as nobody instead.
    const asNobody = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const [command, ...args] = [...asNobody, 'offline/engine.sh', 'ensure'];
    const result = await run(command!, args, { env, check: false });
    expect(result.code).toBe(1);
    expect(result.output).toContain('engine: no Docker engine answers');
    expect(result.output).toContain('sudo apt-get install docker.io docker-compose');
    expect(result.output).toContain('or run make as root');
  });

  it('when a published port is taken, names the port, what it serves and the variable that moves it', async () => {
    const { BROKER_PORT } = await choosePorts('BROKER_PORT');
    const holder = await listen(Number(BROKER_PORT));
    try {
      // A project name of its own, so no running stack of the tests counts as the port's owner.
      const env = { COMPOSE_PROJECT_NAME: `${TEST_PROJECT}-ports`, BROKER_PORT };
      const result = await run('offline/stack.sh', ['ports'], { env, check: false });
      expect(result.code).toBe(1);
      expect(result.output).toContain(`error: port ${BROKER_PORT} (the broker) is already taken`);
      expect(result.output).toMatch(/move it with BROKER_PORT, e\.g\.: make up BROKER_PORT=\d+/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('when an image can be neither pulled nor built, names it and how to bring it from another machine', async () => {
    const image = 'go-micro-test/no-such-image:0';
    const result = await run('offline/images.sh', ['ensure', image], { env: { PULL_TIMEOUT: '30' }, check: false });
    expect(result.code).toBe(1);
    expect(result.output).toContain(`${image} can be neither pulled nor built here: this project has no stand-in for it`);
    expect(result.output).toContain(`docker save ${image} | ssh THIS-MACHINE docker load`);
  });
});

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
