# smsbridge image: build with cgo (SQLite is mattn/go-sqlite3), run on
# Debian slim as a non-root user. Build and runtime are the same Debian
# release so the binary's glibc matches.
#
#   docker build -t smsbridge .
#   docker run --env-file smsbridge.env -p 8080:8080 -v smsbridge-data:/data smsbridge
#
# Several replicas on one PostgreSQL: compose.yaml (README "Running several
# replicas").

FROM golang:1.26-trixie AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=1
RUN go build -trimpath -ldflags='-s -w' -o /out/smsbridge ./cmd/smsbridge

FROM debian:trixie-slim
# ca-certificates: the service calls Slack and Telnyx over HTTPS.
# curl: the HEALTHCHECK below (GET /healthz).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 smsbridge \
 && useradd --system --uid 10001 --gid smsbridge --home-dir /data --no-create-home smsbridge \
 && mkdir -p /data && chown smsbridge:smsbridge /data
COPY --from=build /out/smsbridge /usr/local/bin/smsbridge
# SQLite (the default) keeps its file here; mount a volume on /data.
# With PostgreSQL (DATABASE_URL=postgres://…) nothing is written to /data.
ENV LISTEN_ADDR=:8080 \
    DATABASE_URL=/data/smsbridge.db
VOLUME /data
WORKDIR /data
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/smsbridge"]
