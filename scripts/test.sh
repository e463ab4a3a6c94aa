#!/usr/bin/env bash
# Runs ff's whole test suite on every backend this machine offers: SQLite always, PostgreSQL and
# MySQL/MariaDB when their servers answer (and, for MySQL, when its client library is installed).
# With FF_REQUIRE_ALL_BACKENDS=1 a missing backend fails the run instead of being skipped.
set -uo pipefail
cd "$(dirname "$0")/.."

features=()
if pkg-config --exists libmariadb 2>/dev/null || pkg-config --exists mysqlclient 2>/dev/null; then
  features=(--features ff-tests/mysql)
else
  echo "note: no MySQL/MariaDB client library (apt-get install libmariadb-dev pkg-config): MySQL is skipped"
fi

skipped=target/ff-tests/skipped-backends.txt
rm -f "$skipped"
cargo test --workspace --no-fail-fast "${features[@]}"
status=$?

echo
if [ -s "$skipped" ]; then
  echo "Backends skipped by some tests:"
  sort -u "$skipped" | sed 's/^/  /'
else
  echo "Backends tested: sqlite, postgres$([ ${#features[@]} -gt 0 ] && echo ', mysql')"
fi
exit $status
