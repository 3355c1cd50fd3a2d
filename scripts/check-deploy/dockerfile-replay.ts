import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { DockerStage } from './dockerfiles.js';
import { type ImageNode, installNode } from './image-node.js';
import { run } from './validators.js';

/** What the final stage leaves: a folder standing for the image's filesystem, and how to start it. */
export interface ReplayedImage {
  root: string;
  workdir: string;
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[];
  user: string;
  log: string;
  /** The base image's Node, at <root>/usr/local/bin/node: it runs the CMD and the HEALTHCHECK. */
  node: ImageNode;
}

export interface ReplayOptions {
  /** The build context (the repository root) and the files its .dockerignore lets through. */
  context: string;
  contextFiles: string[];
  /** Scratch folder for the stages' filesystems. */
  workDir: string;
  /** Where results of RUN npm ci are kept between runs, keyed like Docker's layer cache. */
  layerCache: string;
  npmCache: string;
  /** The Node of the FROM lines (imageNodeVersion): it runs every RUN, and the final image holds it. */
  node: ImageNode;
}

/**
 * Replays a Dockerfile natively: each stage gets a folder as its filesystem, COPY copies from
 * the context (as .dockerignore filters it) or from an earlier stage, RUN runs the command in
 * the WORKDIR with the stage's ENV and the base image's Node first on PATH. What cannot be
 * replayed without Docker (the base image's other files, USER switching during the build) is
 * left out; this proves that the instructions produce a runnable service from the context,
 * with exactly the files they copy, on the Node version the image runs.
 */
export async function replayDockerfile(stages: DockerStage[], options: ReplayOptions): Promise<ReplayedImage> {
  await mkdir(options.workDir, { recursive: true });
  await chmod(options.workDir, 0o755);
  const log = join(options.workDir, 'build.log');
  const roots = new Map<string, { root: string; key: string }>();
  const usedLayers = new Set<string>();
  let final: Omit<ReplayedImage, 'log' | 'node'> | undefined;

  for (const [index, stage] of stages.entries()) {
    const root = join(options.workDir, `stage-${index}`);
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    // The image's files are readable by its non-root user, as in a container.
    await chmod(root, 0o755);
    const state = { root, workdir: '/', env: {} as Record<string, string>, cmd: [] as string[], healthcheck: [] as string[], user: 'root' };
    // Keyed by the Node that ran the step too, so layers built by another Node are not reused.
    let key = hash(`FROM ${stage.base}`, `node ${options.node.version}`);

    for (const command of stage.commands) {
      key = hash(key, command.source);
      switch (command.kind) {
        case 'WORKDIR':
          state.workdir = posix.resolve(state.workdir, command.path!);
          await mkdir(join(root, state.workdir), { recursive: true });
          break;
        case 'ENV':
          Object.assign(state.env, command.env);
          break;
        case 'USER':
          state.user = command.path!;
          break;
        case 'CMD':
          if (command.shell) throw new Error(`cannot replay a shell-form CMD: ${command.source}`);
          state.cmd = command.args!;
          break;
        case 'HEALTHCHECK':
          state.healthcheck = command.args!;
          break;
        case 'EXPOSE':
          break;
        case 'ARG':
          // The replay passes no build argument, so an ARG without a default stays unset, as in a plain docker build.
          if (command.source.includes('=')) throw new Error(`cannot replay an ARG with a default: ${command.source}`);
          break;
        case 'COPY': {
          const from = command.from ? roots.get(command.from) ?? roots.get(String(Number(command.from))) : undefined;
          if (command.from && from === undefined) throw new Error(`cannot replay COPY from an image: ${command.source}`);
          key = hash(key, from ? from.key : await contentHash(options, command.sources!));
          await copyInto(state.root, state.workdir, command.sources!, command.dest!, from?.root, options);
          break;
        }
        case 'RUN': {
          const layer = join(options.layerCache, key);
          const cacheable = command.args!.join(' ').includes('npm ci');
          if (cacheable) usedLayers.add(key);
          if (cacheable && existsSync(layer)) {
            await restoreLayer(layer, root);
            break;
          }
          await runStep(command.args!, command.shell ?? false, join(root, state.workdir), { ...state.env, npm_config_cache: options.npmCache }, options.node, log);
          if (cacheable) await saveLayer(root, layer);
          break;
        }
        default:
          throw new Error(`cannot replay ${command.kind}: ${command.source}`);
      }
    }
    roots.set(stage.name || String(index), { root, key });
    final = state;
  }
  await pruneLayers(options.layerCache, usedLayers);
  return { ...final!, log, node: await installNode(options.node, final!.root) };
}

/** COPY: a folder's contents, or files, into dest (relative to WORKDIR; a trailing / means a folder). */
async function copyInto(root: string, workdir: string, sources: string[], dest: string, fromRoot: string | undefined, options: ReplayOptions): Promise<void> {
  const target = join(root, posix.resolve(workdir, dest));
  const intoFolder = dest.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    if (/[*?[]/.test(source)) throw new Error(`cannot replay a wildcard COPY source: ${source}`);
    if (fromRoot !== undefined) {
      const from = join(fromRoot, source);
      const isDir = (await stat(from)).isDirectory();
      await cp(from, isDir || !intoFolder ? target : join(target, posix.basename(source)), { recursive: true, verbatimSymlinks: true });
      continue;
    }
    const path = posix.normalize(source).replace(/\/$/, '');
    const files = options.contextFiles.filter((f) => f === path || f.startsWith(`${path}/`));
    if (files.length === 0) throw new Error(`COPY ${source}: not in the build context (missing, or excluded by .dockerignore)`);
    for (const file of files) {
      const destination = file === path ? (intoFolder ? join(target, posix.basename(file)) : target) : join(target, file.slice(path.length + 1));
      await mkdir(dirname(destination), { recursive: true });
      await cp(join(options.context, file), destination);
    }
  }
}

async function contentHash(options: ReplayOptions, sources: string[]): Promise<string> {
  const digest = createHash('sha256');
  for (const source of sources) {
    const path = posix.normalize(source).replace(/\/$/, '');
    for (const file of options.contextFiles.filter((f) => f === path || f.startsWith(`${path}/`))) {
      digest.update(file).update(await readFile(join(options.context, file)));
    }
  }
  return digest.digest('hex');
}

function runStep(args: string[], shell: boolean, cwd: string, env: Record<string, string>, node: ImageNode, log: string): Promise<void> {
  const [command, ...rest] = shell ? ['/bin/sh', '-c', args.join(' ')] : args;
  return new Promise((resolve, reject) => {
    const out = createWriteStream(log, { flags: 'a' });
    out.write(`\n$ ${args.join(' ')}\n`);
    // npm and tsc are scripts run by `env node`: with the image's Node first on PATH, they run on it.
    const path = `${node.binDir}:${process.env.PATH}`;
    const child = spawn(command!, rest, { cwd, env: { PATH: path, HOME: process.env.HOME, ...networkEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    child.once('error', reject);
    child.once('close', async (code) => {
      out.end();
      if (code === 0) return resolve();
      const tail = (await readFile(log, 'utf8').catch(() => '')).split('\n').slice(-25).join('\n');
      reject(new Error(`RUN ${args.join(' ')} exited with ${code}; last lines of ${log}:\n${tail}`));
    });
  });
}

/**
 * This machine's way to the registry, as Docker hands a build its proxy settings. Node's official
 * binary trusts only its bundled CAs (a distribution's Node trusts the system's): without
 * NODE_EXTRA_CA_CERTS behind an intercepting proxy, npm ci waits minutes on failed revalidations.
 */
function networkEnv(): Record<string, string> {
  const names = ['NODE_EXTRA_CA_CERTS', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy'];
  return Object.fromEntries(names.flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name]!]])));
}

async function saveLayer(root: string, layer: string): Promise<void> {
  await mkdir(dirname(layer), { recursive: true });
  const partial = `${layer}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  // cp --reflink=auto shares blocks where the filesystem can; otherwise it is a plain copy.
  const copied = await run('cp', ['-a', '--reflink=auto', root, partial], { timeoutMs: 300_000 });
  if (copied.code !== 0) throw new Error(`saving a layer failed: ${copied.output}`);
  await rename(partial, layer).catch(() => rm(partial, { recursive: true, force: true }));
}

async function restoreLayer(layer: string, root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
  const copied = await run('cp', ['-a', '--reflink=auto', layer, root], { timeoutMs: 300_000 });
  if (copied.code !== 0) throw new Error(`restoring a layer failed: ${copied.output}`);
}

/** Keeps only the layers this replay used, so the cache holds one build per Dockerfile. */
async function pruneLayers(layerCache: string, used: Set<string>): Promise<void> {
  for (const entry of await readdir(layerCache).catch(() => [] as string[])) {
    if (!used.has(entry)) await rm(join(layerCache, entry), { recursive: true, force: true });
  }
}

function hash(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 24);
}
