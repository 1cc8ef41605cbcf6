#!/bin/sh
# Dispatches `node ...` and `devnet ...` to the node, `wallet ...` to the wallet (no RocksDB on
# its classpath), with the data directory on the /data volume unless the arguments say otherwise.
set -eu
case "${1:-node}" in
  wallet)
    shift
    exec java -Xmx256m -cp "/opt/cairn/wallet/cairn-wallet.jar:/opt/cairn/wallet/lib/*" dev.cairn.wallet.WalletCli "$@"
    ;;
  *)
    exec java ${JAVA_OPTS:--Xmx1g} -cp "/opt/cairn/node/cairn-node.jar:/opt/cairn/node/lib/*" dev.cairn.node.CairnCli "$@"
    ;;
esac
