# One image of one service: SERVICE names it (auth-service, memo-service, web-service,
# naver-stub). Build from the repository root so the npm workspaces resolve:
#   docker build --build-arg SERVICE=memo-service -t memo-memo-service .
# Each service says in its package.json how it builds ("build") and what it needs at run time
# ("files"); this file is the same for all four.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs20-debian12:nonroot

FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /app
# Manifests first: the dependency layer is reused until the lock file changes.
COPY package.json package-lock.json tsconfig.json ./
COPY packages/common/package.json packages/common/
COPY packages/store/package.json packages/store/
COPY packages/stack/package.json packages/stack/
COPY packages/testing/package.json packages/testing/
COPY packages/bench/package.json packages/bench/
COPY services/auth-service/package.json services/auth-service/
COPY services/memo-service/package.json services/memo-service/
COPY services/web-service/package.json services/web-service/
COPY services/naver-stub/package.json services/naver-stub/
# Only the workspaces this service is built from: the @memo packages it depends on and its own
# (scripts/workspaces.mjs reads them from the manifests), with their dev tools.
COPY scripts/workspaces.mjs scripts/
RUN npm ci --no-audit --no-fund --ignore-scripts --include-workspace-root=false $(node scripts/workspaces.mjs ${SERVICE})
COPY packages/common packages/common
COPY packages/store packages/store
COPY services/${SERVICE} services/${SERVICE}
# Build, then production dependencies only, then the run-time tree in /out: the root manifest and
# node_modules, and of every workspace the service is built from its manifest, node_modules and
# package.json "files"; an entry point that starts the service.
RUN npm run build -w services/${SERVICE} \
 && dirs="$(node scripts/workspaces.mjs ${SERVICE} --dirs)" \
 && for dir in $dirs; do rm -rf "$dir/node_modules"; done && rm -rf node_modules \
 && npm ci --omit=dev --no-audit --no-fund --ignore-scripts --include-workspace-root=false $(node scripts/workspaces.mjs ${SERVICE}) \
 && for dir in $dirs; do mkdir -p "$dir/node_modules"; done \
 && node -e "const fs = require('fs'); const copy = (p) => fs.cpSync(p, '/out/' + p, { recursive: true }); \
      ['package.json', 'node_modules'].forEach(copy); \
      const dirs = process.argv.slice(1); \
      for (const dir of dirs) { const pkg = JSON.parse(fs.readFileSync(dir + '/package.json', 'utf8')); \
        ['package.json', 'node_modules', ...pkg.files].forEach((f) => copy(dir + '/' + f)); } \
      const dir = dirs[dirs.length - 1]; const main = JSON.parse(fs.readFileSync(dir + '/package.json', 'utf8')).main; \
      fs.writeFileSync('/out/server.mjs', 'import \"./' + dir + '/' + main + '\";\n');" $dirs

# Runtime: node and our compiled output only; no shell, no npm, not root.
FROM ${RUNTIME_IMAGE}
WORKDIR /app
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=4
COPY --from=build /out ./
USER nonroot
EXPOSE 8080 9090
# The base image's entrypoint is node itself, so SIGTERM reaches it directly.
CMD ["server.mjs"]
