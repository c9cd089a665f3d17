# pgq: PgQ-compatible queue for PostgreSQL, pure SQL + PL/pgSQL, and its
# TypeScript tools.  PGXS builds and installs the extension; the other
# targets drive tests, the demo and the benchmarks.
#
#   make                 build the SQL scripts from extension/ sources
#   make install         install them into PostgreSQL's share directory
#   make installcheck    pgTAP tests against a running server (PG* env)
#   make test            everything (pgTAP + vitest) on a throwaway cluster
#   make demo            a queue at work, on a throwaway cluster
#   make bench           benchmarks side by side with C PgQ

PG_CONFIG ?= pg_config
control_version = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(1))
PGQ_VERSION := $(call control_version,extension/pgq.control)
PGQ_EXT_VERSION := $(call control_version,extension/pgq_ext.control)

PGQ_SCHEMA    := $(sort $(wildcard extension/pgq/schema/*.sql))
PGQ_FUNCTIONS := $(sort $(wildcard extension/pgq/functions/*.sql))
PGQ_TRIGGERS  := $(sort $(wildcard extension/pgq/triggers/*.sql))
PGQ_SOURCES   := $(PGQ_SCHEMA) $(PGQ_FUNCTIONS) $(PGQ_TRIGGERS)
EXT_SOURCES   := $(sort $(wildcard extension/pgq_ext/schema/*.sql)) $(sort $(wildcard extension/pgq_ext/functions/*.sql))

MODULEDIR  = extension
DATA       = extension/pgq.control extension/pgq_ext.control
DATA_built = extension/pgq--$(PGQ_VERSION).sql extension/pgq.sql \
             extension/pgq_ext--$(PGQ_EXT_VERSION).sql extension/pgq_ext.sql
EXTRA_CLEAN = extension/pgq--*.sql extension/pgq.sql extension/pgq_ext--*.sql extension/pgq_ext.sql

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The extension script: sources in order, then the install-time schema fix,
# grants and pg_dump marks.  Function bodies are checked at first call, so
# the files may come in any order.
extension/pgq--$(PGQ_VERSION).sql: $(PGQ_SOURCES) extension/pgq/grants.sql extension/pgq/ext_dump.sql extension/pgq.control scripts/build-sql.sh
	scripts/build-sql.sh extension pgq $(PGQ_VERSION) $(PGQ_SOURCES) > $@

# The same without CREATE EXTENSION, for servers where extensions cannot be
# installed: psql -f pgq.sql
extension/pgq.sql: $(PGQ_SOURCES) extension/pgq/grants.sql extension/pgq.control scripts/build-sql.sh
	scripts/build-sql.sh plain pgq $(PGQ_VERSION) $(PGQ_SOURCES) > $@

extension/pgq_ext--$(PGQ_EXT_VERSION).sql: $(EXT_SOURCES) extension/pgq_ext/grants.sql extension/pgq_ext/ext_dump.sql extension/pgq_ext.control scripts/build-sql.sh
	scripts/build-sql.sh extension pgq_ext $(PGQ_EXT_VERSION) $(EXT_SOURCES) > $@

extension/pgq_ext.sql: $(EXT_SOURCES) extension/pgq_ext/grants.sql extension/pgq_ext.control scripts/build-sql.sh
	scripts/build-sql.sh plain pgq_ext $(PGQ_EXT_VERSION) $(EXT_SOURCES) > $@

.PHONY: test demo bench pgtap vitest refcheck

# pgTAP tests against the server in the PG* environment; each file gets a
# fresh database cloned from a template with pgtap and pgq.
installcheck: pgtap
pgtap:
	scripts/pgtap.sh $(sort $(wildcard pgtap/*.sql))

vitest: node_modules
	npx vitest run

node_modules: package.json package-lock.json
	npm ci
	@touch node_modules

# Everything, on a throwaway cluster unless PGQ_TEST_DATABASE_URL/PGHOST
# point at a server.
test: all node_modules
	scripts/pgcluster.sh run -- scripts/run-tests.sh

demo: all node_modules
	scripts/pgcluster.sh run -- npx tsx demo/demo.ts

# Differential check of the triggers against PgQ 3.5's C triggers (fetched
# with apt-get download into a scratch directory, never installed).
# Row triggers first, then the statement-level (_bulk) forms, against the same C row triggers.
refcheck: all node_modules
	scripts/pgcluster.sh run -- sh -c 'npx tsx test/refcheck/refcheck.ts $(if $(ROWS),--rows $(ROWS)) $(if $(SEED),--seed $(SEED)) && \
	    npx tsx test/refcheck/refcheck.ts --bulk $(if $(ROWS),--rows $(ROWS)) $(if $(SEED),--seed $(SEED))'

bench: all node_modules
	scripts/pgcluster.sh run -- bench/run.sh $(if $(QUICK),--quick)
