# pifu-hub's image: built in one stage, run from another with production dependencies only, as a
# non-root user. docker-compose.yml runs every process of a deployment from it (docs/deployment.md).

# --- build: compile TypeScript to dist/ -------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install scripts: `prepare` would compile before the sources are here, and the optional native
# speed-ups (cpu-features, msgpackr-extract) are not needed.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY connectors ./connectors
COPY jobs ./jobs
COPY schemas ./schemas
COPY fixtures ./fixtures
COPY bench ./bench
RUN npm run build

# --- runtime: dist/, the XSD, production dependencies; nothing else ----------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --system --gid 10001 pifu \
  && useradd --system --uid 10001 --gid pifu --home-dir /app --shell /usr/sbin/nologin pifu
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY schemas/pifu ./schemas/pifu
# Where personal data lives (the spool) and file drops land: volumes in compose, 0700 and the hub's.
RUN mkdir -p /var/lib/pifu-hub/spool /app/out \
  && chown -R pifu:pifu /var/lib/pifu-hub /app/out \
  && chmod 0700 /var/lib/pifu-hub /var/lib/pifu-hub/spool /app/out \
  && ln -s /app/bin/pifu-hub.js /usr/local/bin/pifu-hub
USER pifu
ENTRYPOINT ["node", "/app/bin/pifu-hub.js"]
CMD ["--help"]
