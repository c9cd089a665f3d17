# pgq: PgQ-compatible queue for PostgreSQL, pure SQL + PL/pgSQL, and its
# TypeScript tools.  PGXS builds and installs the extension; the other
# targets drive tests, the demo and the benchmarks.
#
#   make                 build the SQL scripts from extension/ sources
#                        (make sql: the same, also without pg_config)
#   make install         install them into PostgreSQL's share directory
#   make installcheck    pgTAP tests against a running server (PG* env)
#   make upgradecheck    released versions upgraded in place = fresh install
#   make test            everything (pgTAP + vitest) on a throwaway cluster
#                        (PG=<major>: another PostgreSQL, 13 .. 18; default
#                        15, Debian's)
#   make test-matrix     the same but PgQ 3.5's tests (and two that need
#                        no server) on PostgreSQL 13, 14, 16, 17 and 18
#                        (MATRIX="14 17": those only)
#   make demo            a queue at work, on a throwaway cluster
#   make bench           benchmarks side by side with C PgQ
#   make soak            the chaos soak: faults for DURATION seconds (1800)
#   make install-man     manual pages into MANDIR (default PREFIX/share/man,
#                        PREFIX /usr/local); uninstall-man removes them

PG_CONFIG ?= pg_config
control_version = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(1))
PGQ_VERSION := $(call control_version,extension/pgq.control)
PGQ_EXT_VERSION := $(call control_version,extension/pgq_ext.control)
COOP_VERSION := $(call control_version,extension/pgq_coop.control)

PGQ_SCHEMA    := $(sort $(wildcard extension/pgq/schema/*.sql))
# functions/NNN_<stage>/: one folder per pipeline stage, numbered like pgtap/
# (queue admin, produce, tick, consume, rotation, retry, dead letters,
# maintenance, info, util); sorted by path, so by stage, then by file name
PGQ_FUNCTIONS := $(sort $(wildcard extension/pgq/functions/*/*.sql))
PGQ_TRIGGERS  := $(sort $(wildcard extension/pgq/triggers/*.sql extension/pgq/triggers/*/*.sql))
PGQ_CODE      := $(PGQ_FUNCTIONS) $(PGQ_TRIGGERS)
PGQ_SOURCES   := $(PGQ_SCHEMA) $(PGQ_CODE)
# schema changes since 4.0, each guarded by a catalog check (see
# extension/README.md): every update script runs all of them, in order
PGQ_DELTAS    := $(sort $(wildcard extension/pgq/upgrade/4.*.sql))
EXT_SCHEMA    := $(sort $(wildcard extension/pgq_ext/schema/*.sql))
EXT_CODE      := $(sort $(wildcard extension/pgq_ext/functions/*.sql))
EXT_SOURCES   := $(EXT_SCHEMA) $(EXT_CODE)
EXT_DELTAS    := $(sort $(wildcard extension/pgq_ext/upgrade/4.*.sql))
COOP_SCHEMA   := $(sort $(wildcard extension/pgq_coop/schema/*.sql))
COOP_CODE     := $(sort $(wildcard extension/pgq_coop/functions/*.sql))
COOP_SOURCES  := $(COOP_SCHEMA) $(COOP_CODE)

# Released versions: their full scripts are frozen in extension/released/;
# each gets an update script to this version.
released = $(filter-out $(2),$(patsubst extension/released/$(1)--%.sql,%,$(wildcard extension/released/$(1)--*.sql)))
PGQ_RELEASED := $(call released,pgq,$(PGQ_VERSION))
EXT_RELEASED := $(call released,pgq_ext,$(PGQ_EXT_VERSION))
PGQ_UPDATES  := $(foreach v,$(PGQ_RELEASED),extension/pgq--$(v)--$(PGQ_VERSION).sql)
EXT_UPDATES  := $(foreach v,$(EXT_RELEASED),extension/pgq_ext--$(v)--$(PGQ_EXT_VERSION).sql)

# PgQ's own (SkyTools) releases, updated in place: pgq gets the hand-written
# conversion of its event storage (pgq/upgrade/from-3.5.sql) and then what
# every 4.x update runs.  3.5.1 and 3.5.2 changed only PgQ's C code
# (PostgreSQL 16 and 19 support), their SQL objects are 3.5's.  PgQ's
# pgq_ext (3.1 .. 3.3, see extension/README.md) has our tables and
# signatures already: its update is the same as from 4.0.
PGQ_FOREIGN  := 3.5 3.5.1 3.5.2
EXT_FOREIGN  := 3.1 3.1.1 3.1.2 3.2 3.3
PGQ_FROM35   := extension/pgq/upgrade/from-3.5.sql
PGQ_FOREIGN_UPDATES := $(foreach v,$(PGQ_FOREIGN),extension/pgq--$(v)--$(PGQ_VERSION).sql)
# Back to PgQ 3.5: ALTER EXTENSION pgq UPDATE TO '3.5' runs this, then PgQ's
# own pgq--3.4.2--3.5.sql (see pgq/downgrade/to-3.5.sql)
PGQ_BACKOUT  := extension/pgq--$(PGQ_VERSION)--3.4.2.sql
EXT_UPDATES  += $(foreach v,$(EXT_FOREIGN),extension/pgq_ext--$(v)--$(PGQ_EXT_VERSION).sql)
# pgq_coop is new in 4.1; PgQ's pgq_coop (3.1 .. 3.4) has the same functions
# and signatures and no tables, so its update is every function again
COOP_FOREIGN := 3.1 3.1.1 3.3 3.3.1 3.3.2 3.3.3 3.3.4 3.3.5 3.3.6 3.3.7 3.4
COOP_UPDATES := $(foreach v,$(COOP_FOREIGN),extension/pgq_coop--$(v)--$(COOP_VERSION).sql)

MODULEDIR  = extension
DATA       = extension/pgq.control extension/pgq_ext.control extension/pgq_coop.control \
             $(foreach v,$(PGQ_RELEASED),extension/released/pgq--$(v).sql) \
             $(foreach v,$(EXT_RELEASED),extension/released/pgq_ext--$(v).sql)
DATA_built = extension/pgq--$(PGQ_VERSION).sql extension/pgq.sql extension/pgq.upgrade.sql \
             extension/pgq_ext--$(PGQ_EXT_VERSION).sql extension/pgq_ext.sql extension/pgq_ext.upgrade.sql \
             $(PGQ_UPDATES) $(PGQ_FOREIGN_UPDATES) $(PGQ_BACKOUT) $(EXT_UPDATES) \
             extension/pgq_coop--$(COOP_VERSION).sql extension/pgq_coop.sql extension/pgq_coop.upgrade.sql \
             $(COOP_UPDATES)
EXTRA_CLEAN = extension/pgq--*.sql extension/pgq.sql extension/pgq.upgrade.sql \
              extension/pgq_ext--*.sql extension/pgq_ext.sql extension/pgq_ext.upgrade.sql \
              extension/pgq_coop--*.sql extension/pgq_coop.sql extension/pgq_coop.upgrade.sql

# Without pg_config (npm pack on a machine with no server headers) only the
# SQL scripts can be built: `make sql`.
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifneq ($(PGXS),)
include $(PGXS)
else
all: sql
endif

# The plain scripts as migrations for tools that run each migration in a
# transaction of their own (graphile-migrate): without BEGIN/COMMIT
MIGRATIONS := $(foreach e,pgq pgq_ext pgq_coop,extension/$(e).migration.sql extension/$(e).upgrade.migration.sql)
extension/%.migration.sql: extension/%.sql scripts/migration-sql.sh
	scripts/migration-sql.sh $< > $@
EXTRA_CLEAN += $(MIGRATIONS)

# The built scripts alone (npm pack runs this: the package carries them)
sql: $(DATA_built) $(MIGRATIONS)
all: $(MIGRATIONS)

BUILD := scripts/build-sql.sh
# (Makefile too: a source file moved between folders keeps its time)
PGQ_DEPS := $(PGQ_SOURCES) $(PGQ_DELTAS) extension/pgq/grants.sql extension/pgq/ext_dump.sql extension/pgq.control $(BUILD) Makefile
EXT_DEPS := $(EXT_SOURCES) $(EXT_DELTAS) extension/pgq_ext/grants.sql extension/pgq_ext/ext_dump.sql extension/pgq_ext.control $(BUILD)
COOP_DEPS := $(COOP_SOURCES) extension/pgq_coop/grants.sql extension/pgq_coop/ext_dump.sql extension/pgq_coop.control $(BUILD)

# The extension script: tables, then the functions stage by stage (the
# folders of pgq/functions/ in number order, each folder's files by name),
# then the triggers (pgq/triggers/ and its subfolders, by path), then
# upgrade_schema(), grants and pg_dump marks.  The order is for the reader:
# the script reads front to back as the pipeline (create_queue, insert_event,
# ticker, next_batch ... finish_batch, then rotation, retry, maintenance,
# info, and the shared helpers last).  Nothing depends on it: function bodies
# are checked at first call (check_function_bodies = off).
extension/pgq--$(PGQ_VERSION).sql: $(PGQ_DEPS)
	$(BUILD) extension pgq $(PGQ_VERSION) $(PGQ_SOURCES) > $@

# The same without CREATE EXTENSION, for servers where extensions cannot be
# installed: psql -f pgq.sql
extension/pgq.sql: $(PGQ_DEPS)
	$(BUILD) plain pgq $(PGQ_VERSION) $(PGQ_SOURCES) > $@

# Update scripts: the schema deltas, then every function again.
$(PGQ_UPDATES): extension/pgq--%--$(PGQ_VERSION).sql: $(PGQ_DEPS)
	$(BUILD) update pgq $(PGQ_VERSION) $(PGQ_DELTAS) $(PGQ_CODE) > $@

# From PgQ 3.5: its event storage converted first
$(PGQ_FOREIGN_UPDATES): extension/pgq--%--$(PGQ_VERSION).sql: $(PGQ_DEPS) $(PGQ_FROM35)
	$(BUILD) update pgq $(PGQ_VERSION) $(PGQ_FROM35) $(PGQ_DELTAS) $(PGQ_CODE) > $@

$(PGQ_BACKOUT): extension/pgq/downgrade/to-3.5.sql extension/pgq.control
	{ printf '%s\n' "-- pgq $(PGQ_VERSION) back to PgQ 3.5 (with PgQ's pgq--3.4.2--3.5.sql), built from $<: do not edit." \
	      "\\echo Use \"ALTER EXTENSION pgq UPDATE TO '3.5'\" to load this file. \\quit"; \
	  sed "s/@EXTVERSION@/$(PGQ_VERSION)/g" $<; } > $@

# A plain install of any 4.x brought to this version: psql -f pgq.upgrade.sql
extension/pgq.upgrade.sql: $(PGQ_DEPS)
	$(BUILD) plain-update pgq $(PGQ_VERSION) $(PGQ_DELTAS) $(PGQ_CODE) > $@

extension/pgq_ext--$(PGQ_EXT_VERSION).sql: $(EXT_DEPS)
	$(BUILD) extension pgq_ext $(PGQ_EXT_VERSION) $(EXT_SOURCES) > $@

extension/pgq_ext.sql: $(EXT_DEPS)
	$(BUILD) plain pgq_ext $(PGQ_EXT_VERSION) $(EXT_SOURCES) > $@

$(EXT_UPDATES): extension/pgq_ext--%--$(PGQ_EXT_VERSION).sql: $(EXT_DEPS)
	$(BUILD) update pgq_ext $(PGQ_EXT_VERSION) $(EXT_DELTAS) $(EXT_CODE) > $@

extension/pgq_ext.upgrade.sql: $(EXT_DEPS)
	$(BUILD) plain-update pgq_ext $(PGQ_EXT_VERSION) $(EXT_DELTAS) $(EXT_CODE) > $@

extension/pgq_coop--$(COOP_VERSION).sql: $(COOP_DEPS)
	$(BUILD) extension pgq_coop $(COOP_VERSION) $(COOP_SOURCES) > $@

extension/pgq_coop.sql: $(COOP_DEPS)
	$(BUILD) plain pgq_coop $(COOP_VERSION) $(COOP_SOURCES) > $@

$(COOP_UPDATES): extension/pgq_coop--%--$(COOP_VERSION).sql: $(COOP_DEPS)
	$(BUILD) update pgq_coop $(COOP_VERSION) $(COOP_CODE) > $@

# a plain install of PgQ's pgq_coop (psql -f) brought to this version
extension/pgq_coop.upgrade.sql: $(COOP_DEPS)
	$(BUILD) plain-update pgq_coop $(COOP_VERSION) $(COOP_CODE) > $@

.PHONY: sql test test-matrix demo bench soak pgtap vitest refcheck upgradecheck install-man uninstall-man

# Manual pages (npm i -g installs them through package.json's "man" field;
# this is for installs from the checkout).  PGXS has its own lower-case
# prefix and mandir (PostgreSQL's); these are ours.
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
MAN1   := $(sort $(wildcard man/*.1))
MAN7   := $(sort $(wildcard man/*.7))

install-man:
	install -d '$(DESTDIR)$(MANDIR)/man1' '$(DESTDIR)$(MANDIR)/man7'
	install -m 644 $(MAN1) '$(DESTDIR)$(MANDIR)/man1/'
	install -m 644 $(MAN7) '$(DESTDIR)$(MANDIR)/man7/'

uninstall-man:
	rm -f $(foreach p,$(MAN1),'$(DESTDIR)$(MANDIR)/man1/$(notdir $(p))') \
	      $(foreach p,$(MAN7),'$(DESTDIR)$(MANDIR)/man7/$(notdir $(p))')

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

# The version matrix (scripts/run-matrix.sh): each major on a cluster of
# its own, one after the other
test-matrix: all node_modules
	scripts/run-matrix.sh $(MATRIX)

demo: all node_modules
	scripts/pgcluster.sh run -- npx tsx demo/demo.ts

# Differential check of the triggers against PgQ 3.5's C triggers (fetched
# with apt-get download into a scratch directory, never installed).
# Row triggers first, then the statement-level (_bulk) forms, against the same C row triggers.
refcheck: all node_modules
	scripts/pgcluster.sh run -- sh -c 'npx tsx test/refcheck/refcheck.ts $(if $(ROWS),--rows $(ROWS)) $(if $(SEED),--seed $(SEED)) && \
	    npx tsx test/refcheck/refcheck.ts --bulk $(if $(ROWS),--rows $(ROWS)) $(if $(SEED),--seed $(SEED))'

# Every frozen release (extension/released/) upgraded in place equals a fresh
# install of this version, and its queued work goes on (extension and plain).
upgradecheck: all node_modules
	scripts/pgcluster.sh run -- npx tsx test/upgrade/upgradecheck.ts

bench: all node_modules
	scripts/pgcluster.sh run -- bench/run.sh $(if $(QUICK),--quick)

# The chaos soak (bench/soak.ts, issue #20), not part of test: producers,
# pgq-runner, two consumers and queue_splitter as processes, through a
# PgBouncer of its own (POOLER=transaction, the default; session; none),
# while faults are injected for DURATION seconds (default 1800; CI runs
# 180); SEED replays a run.  On a cluster of its own (Debian's 15); the
# summary goes to bench/results/soak-*.json.
DURATION ?= 1800
soak: all node_modules
	scripts/pgcluster.sh deps
	$(MAKE) --no-print-directory -s install >/dev/null
	DURATION=$(DURATION) $(if $(SEED),SEED=$(SEED)) $(if $(POOLER),POOLER=$(POOLER)) npx tsx bench/soak.ts
