// Package inventorysql is inventory's implementation: a Manager that
// implements inventory.Service over database/sql, on SQLite (the
// embedded default, through the pure-Go modernc.org/sqlite) or
// PostgreSQL (through pgx), with the same tables.
//
//	m, err := inventorysql.Open(ctx, "sqlite:///var/lib/flock/flock.db", &inventorysql.Options{Reporter: faultManager})
//	m, err := inventorysql.New(ctx, sharedDB, inventorysql.Postgres, nil) // beside fault's tables
//	m, err := inventorysql.OpenMemory(ctx, nil)                           // tests and fakes
//
// # Persistence
//
// The database is the source of truth: every read is a query (the
// Manager holds no copy of the inventory) and every write is one
// transaction, which runs the rules against what the transaction reads
// and commits all or nothing. Writers take turns (SQLite's BEGIN
// IMMEDIATE; on PostgreSQL a transaction-scoped advisory lock), so a
// rule checked is still true at commit. OpenMemory is SQLite in memory
// over one connection: the same code and SQL, gone on Close.
//
// Every record is a row with its integer id, uuid, the columns that
// keys, foreign keys and lookups need, and its body as JSON with the
// inventory package's field names; CPUs, the most numerous records, are
// columns only. Uniqueness (hostnames, management
// MACs, names, one network per host) is the database's, and every host
// sub-resource cascades from its host and is indexed by host id first.
// Interface relations (uses, platform networks, data networks) are rows
// of their own, so a record in use is found by a foreign key. The
// tables are prefixed inv_ and migrated as the service "inventory" in
// flock_migrations, beside fault's. The BMC password is a column of its
// own, written and never read.
//
// # Configuration versions
//
// A write that may change what a host's configuration document holds
// renders the document again (inventory.Render over a snapshot read in
// the write's transaction) and, if it differs, stores it with a new
// config UUID as the host's config_target, in the same transaction.
// Changes to system-wide records (the system, networks, pools, storage
// backends, service parameters) render every host. The UUID carries the
// reboot-required bit when applying the change needs a lock/unlock, and
// keeps it while a target that had it is not applied. A host whose agent
// has reported and has not applied its target is "Config out-of-date":
// after the commit, alarm 250.001 is raised through Options.Reporter,
// and cleared when the host reports the target applied or is deleted.
// The reporter is called in the writer's goroutine once the commit
// returned; its failures are logged, and the write stands.
//
// # Errors
//
// Errors wrap the inventory sentinels: a missing record is
// inventory.ErrNotFound naming it; bad input an *inventory.FieldError
// naming the JSON field; a refused change an *inventory.RuleError naming
// the rule (ErrInvalidTransition, or ErrConflict for duplicates and
// records in use); a database that cannot be reached or written
// inventory.ErrUnavailable. Rule errors never carry SQL text.
package inventorysql
