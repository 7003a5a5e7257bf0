#!/bin/bash
# Runs once, when the MariaDB container initialises its data dir (docker-entrypoint-initdb.d).
# The same least-privilege accounts the local launcher creates (stack/src/components/mariadb-accounts.ts).
set -euo pipefail
mariadb -uroot -p"${MARIADB_ROOT_PASSWORD}" <<SQL
CREATE DATABASE IF NOT EXISTS legacy CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'legacy'@'%' IDENTIFIED BY '${LEGACY_DB_PASSWORD}';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES, LOCK TABLES ON legacy.* TO 'legacy'@'%';
CREATE USER IF NOT EXISTS 'cdc'@'%' IDENTIFIED BY '${CDC_DB_PASSWORD}';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'cdc'@'%';
FLUSH PRIVILEGES;
SQL
