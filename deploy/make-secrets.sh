#!/bin/sh
# Makes the compose deployment's secrets once: random passwords, and the URLs that carry them, as files
# in deploy/secrets/ (a 0700 directory; compose mounts each file into the containers that need it at
# /run/secrets/NAME). Existing files are kept, so running it again changes nothing.
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
chmod 0700 secrets
password() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
keep() { [ -s "secrets/$1" ]; }
write() {
  # The containers run as their own users: the files are readable inside, the directory guards the host.
  printf '%s\n' "$2" > "secrets/$1"
  chmod 0644 "secrets/$1"
}
keep postgres_password || write postgres_password "$(password)"
keep hub_db_password || write hub_db_password "$(password)"
keep reader_db_password || write reader_db_password "$(password)"
keep redis_password || write redis_password "$(password)"
keep hub_database_url ||
  write hub_database_url "postgres://pifu_hub:$(cat secrets/hub_db_password)@postgres:5432/pifu"
keep records_database_url ||
  write records_database_url "postgres://pifu_reader:$(cat secrets/reader_db_password)@postgres:5432/pifu"
keep redis_url || write redis_url "redis://:$(cat secrets/redis_password)@redis:6379"
# Notifications: the webhook's signing key (give it to the receiver); the SMTP URL stays empty, and
# unused, until you write smtp://user:password@host:587 into it (docs/deployment.md).
keep notify_webhook_secret || write notify_webhook_secret "$(password)"
[ -e secrets/notify_smtp_url ] || write notify_smtp_url ""
echo "secrets in $(pwd)/secrets"
