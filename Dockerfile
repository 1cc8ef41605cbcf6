# Cairn full node. Build:  docker build -t cairn .
# Run:                     docker run -p 9700:9700 -v cairn-data:/data cairn node --network main
# Untested here: the machine this was written on has no container engine (see deploy/README.md).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# The same build ./cairn runs (one source of truth); .ci/run runs this line on a clean extract.
RUN deploy/build.sh

FROM eclipse-temurin:17-jre
RUN useradd --system --create-home --home-dir /home/cairn cairn \
 && mkdir -p /data && chown cairn /data
COPY --from=build /src/node/target/cairn-node-0.1.0-SNAPSHOT.jar /opt/cairn/node/cairn-node.jar
COPY --from=build /src/node/target/lib /opt/cairn/node/lib
COPY --from=build /src/wallet-cli/target/cairn-wallet-cli-0.1.0-SNAPSHOT.jar /opt/cairn/wallet/cairn-wallet.jar
COPY --from=build /src/wallet-cli/target/lib /opt/cairn/wallet/lib
COPY deploy/entrypoint.sh /opt/cairn/entrypoint.sh
USER cairn
VOLUME /data
# Peer port (public); the client API and explorer listen on all interfaces inside the
# container only when asked to (see docker-compose.yml), and should not be published publicly.
EXPOSE 9700
ENTRYPOINT ["/opt/cairn/entrypoint.sh"]
CMD ["node", "--network", "main"]
