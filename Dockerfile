# omnisim's container image: the `omnisim` binary on Debian slim, nothing else.
#
#   docker build -t ghcr.io/example/omnisim:0.1.0 .
#
# The tag is the image deploy/k8s-indexed-job.yaml runs (a test keeps the two and the crate's
# version in step). See deploy/README.md for pushing it and running the Indexed Job.

# --- build: the release binary, without debug info, stripped --------------------------------
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
ENV CARGO_PROFILE_RELEASE_DEBUG=0 \
    CARGO_PROFILE_RELEASE_STRIP=symbols
RUN cargo build --release --locked --bin omnisim

# --- runtime: Debian slim (the builder's glibc), a non-root user, the binary ----------------
FROM debian:bookworm-slim
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /work omnisim \
    && mkdir /work && chown omnisim:omnisim /work
COPY --from=build /src/target/release/omnisim /usr/local/bin/omnisim
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["omnisim"]
CMD ["--help"]
