# syntax=docker/dockerfile:1
#
# Latchkey's container image: a static binary on a distroless base, run as a non-root user.
#
#   docker build -t latchkey --build-arg VERSION=v1.2.3 .
#   docker run -p 8080:8080 -v latchkey-data:/var/lib/latchkey latchkey
#
# See docs/deploy.md for production settings and deploy/compose.yaml for a cluster.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
# CGO_ENABLED=0: the SQLite driver (modernc.org/sqlite) is pure Go, so the binary links no C
# library and runs on an image that has none. The build context has no .git, so the version
# comes from the build argument.
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/latchkey ./cmd/latchkey
# The data directory, made here because the final image has no shell to make it.
RUN mkdir -m 0700 /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/latchkey /usr/local/bin/latchkey
COPY --from=build --chown=65532:65532 /out/data /var/lib/latchkey
# 65532 is distroless's "nonroot" user.
USER 65532:65532
WORKDIR /var/lib/latchkey
# Listen on every interface of the container; the default, loopback, would be unreachable.
# A SQLite database (one node) and a development master key land in the volume.
ENV LATCHKEY_LISTEN=0.0.0.0:8080 \
    LATCHKEY_DATABASE=/var/lib/latchkey/latchkey.db
VOLUME ["/var/lib/latchkey"]
EXPOSE 8080
# No shell or curl here: latchkey itself asks /readyz at LATCHKEY_LISTEN.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/latchkey", "health", "--timeout", "4s"]
ENTRYPOINT ["/usr/local/bin/latchkey"]
CMD ["serve"]
