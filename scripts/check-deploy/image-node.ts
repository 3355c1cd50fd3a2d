import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { cacheDir } from './cache-dir.js';
import type { DockerStage } from './dockerfiles.js';
import { REPO_ROOT, run } from './validators.js';

/** The Node an image runs, as a binary for this machine. */
export interface ImageNode {
  version: string;
  /** bin/node of that version, from the npm registry's node-linux-<arch> package. */
  path: string;
  /** Its folder, to put first on PATH as the base image has /usr/local/bin. */
  binDir: string;
}

const NODE_BASE = /^node:(\d+\.\d+\.\d+)(?:-|$)/;

/** The Node version the Dockerfiles' FROM lines pin; throws naming the files when they disagree or pin none. */
export function imageNodeVersion(dockerfiles: Record<string, DockerStage[]>): string {
  const filesByVersion = new Map<string, Set<string>>();
  for (const [file, stages] of Object.entries(dockerfiles)) {
    for (const { base } of stages) {
      const version = NODE_BASE.exec(base)?.[1] ?? `FROM ${base} (not node:<x.y.z>-…)`;
      filesByVersion.set(version, (filesByVersion.get(version) ?? new Set()).add(relative(REPO_ROOT, file)));
    }
  }
  const versions = [...filesByVersion.keys()];
  if (versions.length === 1 && /^\d+\.\d+\.\d+$/.test(versions[0]!)) return versions[0]!;
  const found = [...filesByVersion].map(([version, files]) => `${version} in ${[...files].join(', ')}`);
  throw new Error(`the Dockerfiles must all run one pinned Node version; their FROM lines say: ${found.join('; ') || 'nothing (no Dockerfiles)'}`);
}

const fetched = new Map<string, Promise<ImageNode>>();

/** This machine's binary of Node <version>, fetched once into the project cache (keyed by version and arch). */
export function imageNode(version: string): Promise<ImageNode> {
  let node = fetched.get(version);
  if (node === undefined) {
    node = fetchNode(version);
    fetched.set(version, node);
  }
  return node;
}

async function fetchNode(version: string): Promise<ImageNode> {
  const pkg = `node-linux-${linuxArch()}`;
  const dir = join(cacheDir(), 'node', `${pkg}-${version}`);
  const path = join(dir, 'bin', 'node');
  if (!existsSync(path)) await download(pkg, version, dir);
  return { version, path, binDir: dirname(path) };
}

/** Places the binary in an image's filesystem at /usr/local/bin/node, as the base image has it (and where its non-root user can run it). */
export async function installNode(node: ImageNode, root: string): Promise<ImageNode> {
  const binDir = join(root, 'usr', 'local', 'bin');
  const path = join(binDir, 'node');
  await mkdir(binDir, { recursive: true });
  await rm(path, { force: true });
  // A hard link costs nothing; across filesystems it is a copy.
  await link(node.path, path).catch(() => copyFile(node.path, path));
  return { version: node.version, path, binDir };
}

/** npm pack (which checks the registry's integrity hash) into a private folder, then one atomic rename into place. */
async function download(pkg: string, version: string, dir: string): Promise<void> {
  const started = Date.now();
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(`${dir}.partial-`);
  try {
    const env = { ...process.env, npm_config_cache: join(cacheDir(), 'npm') };
    const packed = await run('npm', ['pack', `${pkg}@${version}`, '--json', '--pack-destination', staging], { cwd: staging, env, timeoutMs: 600_000 });
    if (packed.code !== 0) throw new Error(`npm pack ${pkg}@${version} failed:\n${packed.output}`);
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    // Only the binary and its licence: the package also holds C headers and docs.
    const untar = await run('tar', ['-xzf', join(staging, filename), '-C', staging, '--strip-components=1', 'package/bin/node', 'package/LICENSE']);
    if (untar.code !== 0) throw new Error(`unpacking ${filename} failed:\n${untar.output}`);
    await rm(join(staging, filename));
    const reported = (await run(join(staging, 'bin', 'node'), ['--version'])).stdout.trim();
    if (reported !== `v${version}`) throw new Error(`${pkg}@${version} holds a node that says ${reported || 'nothing'}`);
    // A process fetching at the same time either renamed first (we drop our copy) or finds the whole folder.
    const placed = await rename(staging, dir).then(
      () => true,
      (error: unknown) => {
        if (!existsSync(join(dir, 'bin', 'node'))) throw error;
        return false;
      },
    );
    if (placed) process.stderr.write(`check-deploy: fetched Node ${version} (${pkg}) in ${((Date.now() - started) / 1000).toFixed(1)}s into ${dir}\n`);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function linuxArch(): string {
  // The npm registry's node-linux-* packages are named after process.arch.
  if (process.platform === 'linux' && (process.arch === 'x64' || process.arch === 'arm64')) return process.arch;
  throw new Error(`the image's Node is fetched for Linux x64 or arm64 only; this machine is ${process.platform} ${process.arch}`);
}
