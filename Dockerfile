# trainhub API and worker image (one image, two commands). Built and run by docker-compose.yml.
FROM node:20-bookworm-slim
# Certificates print names beyond Latin-1 (Polish, Cyrillic, Greek …) in DejaVu Sans.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --include=dev
COPY . .
RUN tools/prisma.sh generate && npm run build && mkdir -p .data/scorm && chown -R node .data
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js", "api"]
