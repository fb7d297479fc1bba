package inventorysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/edgeflock/flock/inventory"
)

// wrap maps err to the inventory sentinels and prefixes the operation.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("inventorysql: %s: %w", op, mapErr(err))
}

// notFound is the error for a record that does not exist.
func notFound(what, name string) error {
	return fmt.Errorf("%s %q: %w", what, name, inventory.ErrNotFound)
}

// SQLite result codes (the primary code is the low byte).
const (
	sqliteBusy       = 5
	sqliteLocked     = 6
	sqliteNoMem      = 7
	sqliteReadOnly   = 8
	sqliteIOErr      = 10
	sqliteCorrupt    = 11
	sqliteFull       = 13
	sqliteCantOpen   = 14
	sqliteConstraint = 19
	sqliteUnique     = 2067 // SQLITE_CONSTRAINT_UNIQUE
	sqlitePrimaryKey = 1555 // SQLITE_CONSTRAINT_PRIMARYKEY
	sqliteForeignKey = 787  // SQLITE_CONSTRAINT_FOREIGNKEY
)

// mapErr turns a database error into the inventory vocabulary: no rows
// is ErrNotFound, a unique violation an ErrConflict RuleError, a foreign
// key violation an in-use ErrConflict, an unreachable or full database
// ErrUnavailable. The rule errors never carry the database's text.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case isInventoryErr(err):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%w", inventory.ErrNotFound)
	}
	var le *sqlite.Error
	if errors.As(err, &le) {
		switch code := le.Code(); {
		case code == sqliteUnique || code == sqlitePrimaryKey:
			return uniqueErr(le.Error())
		case code == sqliteForeignKey:
			return inventory.Conflictf(inventory.RuleInUse, "the record is in use by another one")
		case code&0xff == sqliteConstraint:
			return fmt.Errorf("%w: a constraint of the database refused the change", inventory.ErrInvalid)
		case code&0xff == sqliteBusy, code&0xff == sqliteLocked, code&0xff == sqliteNoMem, code&0xff == sqliteReadOnly,
			code&0xff == sqliteIOErr, code&0xff == sqliteFull, code&0xff == sqliteCantOpen, code&0xff == sqliteCorrupt:
			return fmt.Errorf("%w: %v", inventory.ErrUnavailable, err)
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505":
			return uniqueErr(pe.ConstraintName)
		case pe.Code == "23503":
			return inventory.Conflictf(inventory.RuleInUse, "the record is in use by another one")
		case strings.HasPrefix(pe.Code, "23"):
			return fmt.Errorf("%w: a constraint of the database refused the change", inventory.ErrInvalid)
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "53"), strings.HasPrefix(pe.Code, "57P"),
			pe.Code == "40001", pe.Code == "40P01", pe.Code == "25006":
			return fmt.Errorf("%w: %v", inventory.ErrUnavailable, err)
		}
		return err
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		pgconn.Timeout(err) {
		return fmt.Errorf("%w: %v", inventory.ErrUnavailable, err)
	}
	return err
}

func isInventoryErr(err error) bool {
	for _, s := range []error{inventory.ErrNotFound, inventory.ErrInvalid, inventory.ErrConflict,
		inventory.ErrInvalidTransition, inventory.ErrUnavailable, inventory.ErrUnimplemented, inventory.ErrClosed} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// uniqueErr names the rule a unique violation broke, from the SQLite
// message or the PostgreSQL constraint name (never shown).
func uniqueErr(what string) error {
	switch {
	case strings.Contains(what, "hostname"):
		return inventory.Conflictf(inventory.RuleUniqueHostname, "the hostname is already in use")
	case strings.Contains(what, "mgmt_mac"):
		return inventory.Conflictf(inventory.RuleUniqueMAC, "the management MAC address is already in use")
	case strings.Contains(what, "network_id"), strings.Contains(what, "interface_network"):
		return inventory.Conflictf(inventory.RuleNetworkPerHost, "the network is already assigned to an interface of this host")
	}
	return inventory.Conflictf(inventory.RuleUniqueName, "a record with this name already exists")
}

func isNotFound(err error) bool { return errors.Is(err, inventory.ErrNotFound) }
