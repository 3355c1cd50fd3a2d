import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVICE_NAMES } from './deployments.js';
import { type DockerStage, dockerfileOf, parseDockerfiles } from './dockerfiles.js';
import { imageNodeVersion } from './image-node.js';
import { REPO_ROOT } from './validators.js';

const imageOn = (...bases: string[]): DockerStage[] => bases.map((base, i) => ({ name: i < bases.length - 1 ? 'build' : '', base, commands: [] }));
const file = (service: string) => join(REPO_ROOT, service, 'Dockerfile');

describe("the Node version the replay fetches, read from the Dockerfiles' FROM lines", () => {
  it('when every service Dockerfile is read, they agree on one pinned version', async () => {
    const parsed = await parseDockerfiles(SERVICE_NAMES.map(dockerfileOf));
    expect(imageNodeVersion(parsed)).toMatch(/^24\.\d+\.\d+$/);
  });

  it('when one Dockerfile pins another version, the error names both versions and their files', () => {
    const read = () =>
      imageNodeVersion({
        [file('a-service')]: imageOn('node:24.11.1-bookworm-slim', 'node:24.11.1-bookworm-slim'),
        [file('b-service')]: imageOn('node:24.11.1-bookworm-slim', 'node:22.21.0-bookworm-slim'),
      });
    expect(read).toThrow('24.11.1 in a-service/Dockerfile, b-service/Dockerfile; 22.21.0 in b-service/Dockerfile');
  });

  it('when a Dockerfile is not on a pinned node base, the error names its FROM and file', () => {
    const read = () => imageNodeVersion({ [file('c-service')]: imageOn('node:lts-slim', 'node:lts-slim') });
    expect(read).toThrow('FROM node:lts-slim (not node:<x.y.z>-…) in c-service/Dockerfile');
  });
});
