#!/bin/bash
# Runs once, when the MariaDB container initialises its data dir (docker-entrypoint-initdb.d).
# The same databases and least-privilege accounts the local launcher creates (stack/src/components/mariadb-server.ts):
# one database and account per application, and the cdc replication account.
set -euo pipefail

# application account = database name; password from <ACCOUNT>_DB_PASSWORD (upper-cased).
APP_DATABASES="legacy catalog_svc users_svc"

sql=""
for db in $APP_DATABASES; do
  password_var="$(echo "$db" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="${!password_var:?$password_var must be set}"
  sql+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$db'@'%' IDENTIFIED BY '$password';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES, LOCK TABLES ON \`$db\`.* TO '$db'@'%';
"
done
sql+="CREATE USER IF NOT EXISTS 'cdc'@'%' IDENTIFIED BY '${CDC_DB_PASSWORD:?CDC_DB_PASSWORD must be set}';
GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'cdc'@'%';
FLUSH PRIVILEGES;"

mariadb -uroot -p"${MARIADB_ROOT_PASSWORD}" -e "$sql"
