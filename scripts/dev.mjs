// `make dev`: every service that exists, as local processes in the foreground,
// with one stream of their logs. Ctrl-C or SIGTERM stops them all. A service that
// crashes (it logs why and exits 1) is started again, as compose and swarm would.
import { existsSync, readFileSync } from 'node:fs';
import { concurrently } from 'concurrently';
import { devSessionSecret } from './dev-session-secret.mjs';

// Every service that is built, each on its own port of services.json, where the others' defaults look for it.
const services = JSON.parse(readFileSync('services.json', 'utf8')).filter(({ folder }) => existsSync(`${folder}/dist/main.js`));
const portOf = (name) => services.find((service) => service.name === name)?.port;

// Spans go to the Jaeger dev-infra runs (README: Tracing), unless the environment names another collector
// (or OTEL_TRACES_EXPORTER=console prints them).
const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? `http://${process.env.JAEGER_OTLP_HTTP_ADDR ?? '127.0.0.1:4318'}` };

// The dashboard's sessions (in MongoDB) outlive a restart only if their cookies are signed with the same secret.
const ownEnv = { logger: { SESSION_SECRET: devSessionSecret() } };

const commands = [
  // FerretDB on 27017, Mailpit on 1025 (UI on 8025), Jaeger on 4318 (API on 16686); Postgres and RabbitMQ are the machine's own.
  { name: 'infra', command: 'scripts/dev-infra.sh' },
  // Under node.sh, the Node flags the images and the tests use too.
  ...services.map(({ name, folder, port }) => ({ name, command: `./node.sh ${folder}/dist/main.js`, env: { LOG_PRETTY: 'true', PORT: `${port}`, ...tracing, ...ownEnv[name] } })),
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

console.log(`\n  page:      http://localhost:${portOf('front-end')}\n  broker:    http://localhost:${portOf('broker')}\n  dashboard: http://localhost:${portOf('logger')}/admin/dashboard\n  mail:      http://localhost:8025\n  traces:    http://localhost:16686/api/traces/<X-Trace-Id of a reply>\n`);

result.then(
  () => process.exit(0),
  () => process.exit(1),
);
