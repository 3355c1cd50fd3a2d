// `make dev`: every service that exists, as local processes in the foreground,
// with one stream of their logs. Ctrl-C or SIGTERM stops them all. A service that
// crashes (it logs why and exits 1) is started again, as compose and swarm would.
import { existsSync } from 'node:fs';
import { concurrently } from 'concurrently';

// Each service's default port and addresses already point at the others on this machine.
const services = [
  { name: 'auth', dir: 'authentication-service' },
  { name: 'broker', dir: 'broker-service' },
  { name: 'logger', dir: 'logger-service' },
  { name: 'listener', dir: 'listener-service' },
  { name: 'mail', dir: 'mail-service' },
  { name: 'front-end', dir: 'front-end' },
].filter(({ dir }) => existsSync(`${dir}/dist/main.js`));

// Spans go to the Jaeger dev-infra runs (README: Tracing), unless the environment names another collector
// (or OTEL_TRACES_EXPORTER=console prints them).
const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? `http://${process.env.JAEGER_OTLP_HTTP_ADDR ?? '127.0.0.1:4318'}` };

// NODE_OPTIONS, GLIBC_TUNABLES and the V8 flags as the images set them (tests/bench/README.md, memory).
const commands = [
  // FerretDB on 27017, Mailpit on 1025 (UI on 8025), Jaeger on 4318 (API on 16686); Postgres and RabbitMQ are the machine's own.
  { name: 'infra', command: 'scripts/dev-infra.sh' },
  ...services.map(({ name, dir }) => ({ name, command: `node --heap-growing-percent=50 --liftoff-only --no-maglev ${dir}/dist/main.js`, env: { LOG_PRETTY: 'true', NODE_OPTIONS: '--max-semi-space-size=4 --v8-pool-size=1', GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072', ...tracing } })),
];

const { result } = concurrently(commands, {
  prefix: 'name',
  prefixColors: ['cyan', 'green', 'yellow', 'magenta', 'blue', 'red', 'gray'],
  // Ten restarts, each after twice the wait of the last (1 s, 2 s, 4 s ...), before a failure stops them all.
  restartTries: 10,
  restartDelay: 'exponential',
  killOthersOn: ['failure'],
  handleInput: false,
});

// concurrently passes SIGTERM and SIGHUP on to every command, but it takes only SIGINT as a stop:
// after any other signal a command's shell exits 143 and is restarted like a crash, so `kill`
// left everything running. Each of them stops the commands as Ctrl-C does (this listener runs
// after concurrently's own, so the stop it records is SIGINT's).
for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => process.emit('SIGINT', 'SIGINT'));

console.log('\n  page:   http://localhost:8081\n  broker: http://localhost:8080\n  mail:   http://localhost:8025\n  traces: http://localhost:16686/api/traces/<X-Trace-Id of a reply>\n');

result.then(
  () => process.exit(0),
  () => process.exit(1),
);
