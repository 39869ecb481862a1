#!/usr/bin/env bash
# `make run`: create the embedded store in ./var on first use, print the management
# account's credentials and a first AWS CLI command, then serve on 127.0.0.1:4566.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${ORGTRAIL_DATA:-var}"
listen="${ORGTRAIL_LISTEN:-127.0.0.1:4566}"
if [ ! -f "$data/state.db" ]; then
    build/orgtrail init --data "$data" >/dev/null
    echo "Created a new store in $data/ (management account and its root key)."
fi
akid=$(sed -n 's/^aws_access_key_id = //p' "$data/credentials")
echo
echo "Management account root credentials: $data/credentials ($akid)"
echo "In another terminal:"
echo
echo "  export AWS_ENDPOINT_URL=http://$listen"
echo "  export AWS_SHARED_CREDENTIALS_FILE=$PWD/$data/credentials AWS_CONFIG_FILE=$PWD/$data/config"
echo "  aws sts get-caller-identity"
echo "  scripts/quickstart.sh        # the organization trail of the seed documents"
echo
exec build/orgtrail serve --data "$data" --listen "$listen"
