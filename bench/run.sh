#!/usr/bin/env bash
# make bench: every benchmark scenario, against the server in the PG*
# environment (make bench starts a throwaway cluster).  --quick: fewer
# events and rounds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
echo "## insert_event"
"$here/insert_event.sh" "$@"
echo
echo "## trigger producers"
"$here/triggers.sh" "$@"
echo
echo "## held xmin"
npx tsx "$here/held_xmin.ts" "$@"
echo
echo "## queue_splitter"
npx tsx "$here/splitter.ts" "$@"
