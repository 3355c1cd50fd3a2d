# Caddy with this project's Caddyfile. Build context is project/:
#   docker build -f caddy.dockerfile -t go-micro/micro-caddy:1.0.0 .
#   docker build -f caddy.dockerfile --build-arg CADDYFILE=Caddyfile.production -t go-micro/micro-caddy-production:1.0.0 .
# Pinned to a full version so a rebuild serves with the same Caddy.
FROM caddy:2.10.2-alpine
ARG CADDYFILE=Caddyfile
COPY ${CADDYFILE} /etc/caddy/Caddyfile
