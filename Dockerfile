# The image of every service: SERVICE is its folder, as services.json lists them.
#   docker build --build-arg SERVICE=broker-service -t go-micro/broker-service:1.0.0 .

# The current Node LTS, pinned to its full version and Debian release so rebuilds get the same
# runtime; glibc (bookworm), for which bcrypt ships prebuilt binaries.
FROM node:24.11.1-bookworm-slim AS base

FROM base AS build
ARG SERVICE
RUN test -n "$SERVICE" || { echo 'error: give the service folder: --build-arg SERVICE=broker-service' >&2; exit 1; }
# npm's registry: unset is the public one; make up passes a local cache where builds cannot reach it.
ARG NPM_CONFIG_REGISTRY
WORKDIR /app
# The lock and the manifests first, so the install layer is reused until they change.
COPY package.json package-lock.json tsconfig.base.json ./
COPY toolkit/package.json toolkit/
COPY contracts/package.json contracts/
COPY ${SERVICE}/package.json ${SERVICE}/
# The service, the shared packages it depends on and the root's TypeScript, exactly as locked.
RUN --mount=type=cache,target=/root/.npm npm ci --include-workspace-root -w ${SERVICE} --no-audit --no-fund
COPY toolkit/ toolkit/
COPY contracts/ contracts/
COPY ${SERVICE}/ ${SERVICE}/
RUN node_modules/.bin/tsc -b ${SERVICE}

FROM base
ARG SERVICE
ARG NPM_CONFIG_REGISTRY
# Natively a service binds 127.0.0.1; in a container it must take connections from its network.
ENV NODE_ENV=production PORT=80 BIND_ADDR=0.0.0.0 SERVICE=${SERVICE}
WORKDIR /app
COPY package.json package-lock.json ./
COPY toolkit/package.json toolkit/
COPY contracts/package.json contracts/
COPY ${SERVICE}/package.json ${SERVICE}/
# Production dependencies only; the npm cache stays in the build cache, out of the image.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev -w ${SERVICE} --no-audit --no-fund
# The compiled code and the files read beside it; a [x] pattern may match nothing, as for a
# service without templates or migrations, or the front end, which does not use the contracts.
COPY --from=build /app/toolkit/dist toolkit/dist/
COPY --from=build /app/contracts/dis[t] contracts/dist/
COPY contracts/proto contracts/proto/
COPY --from=build /app/${SERVICE}/dist ${SERVICE}/dist/
COPY ${SERVICE}/template[s] ${SERVICE}/templates/
COPY ${SERVICE}/migration[s] ${SERVICE}/migrations/
COPY ${SERVICE}/publi[c] ${SERVICE}/public/
COPY services.json node.sh ./
USER node
WORKDIR /app/${SERVICE}
EXPOSE 80
# Slim images have no curl: node's http module asks the service's health path in services.json
# (not fetch, whose WebAssembly parser makes each check a much bigger process).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const { health } = require('/app/services.json').find((s) => s.folder === process.env.SERVICE); require('node:http').get('http://127.0.0.1:' + process.env.PORT + health, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]
# node.sh starts node with the flags every copy of a service runs under.
CMD ["/app/node.sh", "dist/main.js"]
