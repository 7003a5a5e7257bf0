# One image recipe for every Node workspace (legacy, and later the extracted services, edge, projectors):
#   docker build --build-arg WORKSPACE=legacy -t strangler/legacy .
# It compiles TypeScript in a build stage and runs plain JavaScript (no tsx) in a slim runtime stage.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
# Every workspace manifest, so `npm ci` sees the same tree the lock file describes.
COPY platform/package.json platform/
COPY legacy/package.json legacy/
COPY stack/package.json stack/
RUN npm ci --ignore-scripts
COPY platform platform
COPY legacy legacy
ARG WORKSPACE=legacy
RUN npm run build -w platform && npm run build -w ${WORKSPACE}

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG WORKSPACE=legacy
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY platform/package.json platform/
COPY legacy/package.json legacy/
COPY stack/package.json stack/
RUN npm ci --omit=dev --ignore-scripts -w platform -w ${WORKSPACE} && npm cache clean --force
COPY --from=build /app/platform/dist platform/dist
COPY --from=build /app/${WORKSPACE}/dist ${WORKSPACE}/dist
WORKDIR /app/${WORKSPACE}
USER node
# server.js handles SIGTERM itself (drain, close pools, exit 0); node runs as PID 1 with no shell in between.
CMD ["node", "dist/server.js"]
