# One image recipe for every Node workspace (legacy, the extracted services, the edge and the projectors):
#   docker build --build-arg WORKSPACE=legacy -t strangler/legacy .
#   docker build --build-arg WORKSPACE=new-services/users -t strangler/users .
# It compiles TypeScript in a build stage and runs plain JavaScript (no tsx) in a slim runtime stage.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
# Every workspace manifest, so `npm ci` sees the same tree the lock file describes.
COPY platform/package.json platform/
COPY testkit/package.json testkit/
COPY unleash-admin/package.json unleash-admin/
COPY legacy/package.json legacy/
COPY new-services/users/package.json new-services/users/
COPY new-services/catalog/package.json new-services/catalog/
COPY cdc/package.json cdc/
COPY edge/package.json edge/
COPY cli/package.json cli/
COPY contracts/package.json contracts/
COPY stack/package.json stack/
RUN npm ci --ignore-scripts
ARG WORKSPACE=legacy
COPY platform platform
# The projectors (cdc) write through the extracted services' projection modules, so those are built too (and shipped).
COPY new-services new-services
COPY ${WORKSPACE} ${WORKSPACE}
RUN npm run build -w platform && npm run build -w new-services/users -w new-services/catalog && npm run build -w ${WORKSPACE}

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ARG WORKSPACE=legacy
ENV NODE_ENV=production HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
COPY platform/package.json platform/
COPY testkit/package.json testkit/
COPY unleash-admin/package.json unleash-admin/
COPY legacy/package.json legacy/
COPY new-services/users/package.json new-services/users/
COPY new-services/catalog/package.json new-services/catalog/
COPY cdc/package.json cdc/
COPY edge/package.json edge/
COPY cli/package.json cli/
COPY contracts/package.json contracts/
COPY stack/package.json stack/
RUN npm ci --omit=dev --ignore-scripts -w platform -w new-services/users -w new-services/catalog -w ${WORKSPACE} && npm cache clean --force
COPY --from=build /app/platform/dist platform/dist
COPY --from=build /app/new-services/users/dist new-services/users/dist
COPY --from=build /app/new-services/catalog/dist new-services/catalog/dist
COPY --from=build /app/${WORKSPACE}/dist ${WORKSPACE}/dist
# The slice manifests: the edge routes by them, the projectors and cdc-register read their tables.
COPY slices slices
WORKDIR /app/${WORKSPACE}
USER node
# server.js handles SIGTERM itself (drain, close pools, exit 0); node runs as PID 1 with no shell in between.
CMD ["node", "dist/server.js"]
