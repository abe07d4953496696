# syntax=docker/dockerfile:1
# moa-bot image: TypeScript run by tsx (a production dependency), no build output.
#   docker build -t moa-bot .
#   docker run --env-file .env -p 3000:3000 -p 9090:9090 -v moa-data:/app/data moa-bot
# docs/deploy.md covers variables, Slack modes, Redis and shutdown timing.

ARG NODE_IMAGE=node:20-slim

# Stage 1: production dependencies only. The compiler toolchain is here just in case
# sqlite3 has no prebuilt binary for the platform; none of it reaches the final image.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Stage 2: runtime. Code and dependencies belong to root and are read-only for the
# app user; only /app/data (the SQLite store) is writable.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    MOA_HTTP_PORT=9090 \
    MOA_STORE_URL=sqlite://data/moa.sqlite
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
# 3000: Slack HTTP receiver (SLACK_PORT; unused in Socket Mode). 9090: /healthz and /metrics.
EXPOSE 3000 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.MOA_HTTP_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# node itself is PID 1 (no npm/npx wrapper) so SIGTERM reaches the bot's graceful shutdown.
CMD ["node", "--import", "tsx", "src/main.ts"]
