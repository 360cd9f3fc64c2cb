# syntax=docker/dockerfile:1
# gpu-hpa-webhook: build with the full Node image, run on the slim one with production
# dependencies only, as the non-root `node` user. Node 24: an LTS line with security support until
# April 2028 (Node 20 reached its end of life in April 2026). The code stays compatible with Node
# >= 20.6 (package.json engines); CI runs the tests on the Node of its machine (20).
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm AS build
WORKDIR /app
# Dependencies first: this layer is cached until package*.json change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: nothing in production needs them, and they are code we would run as root.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY policies ./policies
# The webhook configurations `gpu-hpa-webhook certs` fills with a caBundle.
COPY manifests ./manifests
# --cert-dir default (certs/) for a self-signed certificate when no --tls-cert is given.
RUN mkdir -p /app/certs && chown 1000:1000 /app/certs
# The image's `node` user, numeric so Kubernetes can check runAsNonRoot.
USER 1000:1000
# 8443: reviews and probes (HTTPS); 8080: GET /metrics (plain HTTP, --metrics-port)
EXPOSE 8443 8080
# a young generation of 8 MiB semi-spaces: RSS under load ~15 MB lower, throughput unchanged; an old
# generation capped at 160 MiB: without a cap V8 sizes it from the machine's memory and lets garbage
# pile up to ~270 MiB under load (README "Memory and sizing", docs/benchmarks.md)
ENTRYPOINT ["node", "--max-semi-space-size=8", "--max-old-space-size=160", "dist/cli/main.js"]
CMD ["serve"]
