// Package snmptrap is the SNMP engine of fault.Notifier: it sends
// SNMPv2c traps with the OIDs and varbinds of StarlingX's WRS-ALARM-MIB
// (enterprise 731), so an SNMP manager set up for StarlingX understands a
// Flock controller unchanged. The MIB is shipped beside this file as
// FLOCK-ALARM-MIB (the same OIDs, written for Flock).
//
// Traps, under 1.3.6.1.4.1.731.1.1.1.1.0:
//
//	.1 .2 .3 .4  alarm set, by severity (critical, major, minor, warning)
//	.5           customer log / message
//	.9           alarm clear
//	.99          hierarchical clear (clear-all below an entity)
//
// and SNMPv2-MIB warmStart (1.3.6.1.6.3.1.1.5.2) when the suppression table
// changed. The manager decides what to send: nothing for suppressed alarm
// ids, one warmStart per batch of suppression changes.
package snmptrap

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/edgeflock/flock/fault"
)

// OIDs of the traps and varbinds.
const (
	AlarmObjects = "1.3.6.1.4.1.731.1.1.1.1"
	TrapPrefix   = AlarmObjects + ".0"
	// ActiveColumn is the prefix of the active-alarm varbinds: column N of
	// the active alarm table, instance 0.
	ActiveColumn = AlarmObjects + ".1.1"

	TrapCritical          = TrapPrefix + ".1"
	TrapMajor             = TrapPrefix + ".2"
	TrapMinor             = TrapPrefix + ".3"
	TrapWarning           = TrapPrefix + ".4"
	TrapMessage           = TrapPrefix + ".5"
	TrapClear             = TrapPrefix + ".9"
	TrapHierarchicalClear = TrapPrefix + ".99"
	TrapWarmStart         = "1.3.6.1.6.3.1.1.5.2"

	sysUpTime   = "1.3.6.1.2.1.1.3.0"
	snmpTrapOID = "1.3.6.1.6.3.1.1.4.1.0"
)

// Columns of the active alarm table used as varbinds.
const (
	ColUUID             = 2
	ColAlarmID          = 3
	ColEntityInstanceID = 4
	ColDateAndTime      = 5
	ColSeverity         = 6
	ColReasonText       = 7
	ColEventType        = 8
	ColProbableCause    = 9
	ColRepairAction     = 10
	ColServiceAffecting = 11
	ColSuppression      = 12
)

// Column returns the varbind OID of column col.
func Column(col int) string { return ActiveColumn + "." + strconv.Itoa(col) + ".0" }

// Options configure a Notifier.
type Options struct {
	// Target is the trap receiver, host:port (default port 162).
	Target string `yaml:"target" json:"target"`
	// Community is the SNMPv2c community (default "public").
	Community string `yaml:"community" json:"community"`
	// Timeout bounds sending one trap (default 2 s).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Region and System, if set, prefix every entity instance id with
	// "region=<r>." and "system=<s>.", as StarlingX does for multi-site
	// managers.
	Region string `yaml:"region" json:"region"`
	System string `yaml:"system" json:"system"`
}

// Notifier sends fault notifications as SNMPv2c traps.
type Notifier struct {
	opts  Options
	start time.Time
	mu    sync.Mutex
	g     *gosnmp.GoSNMP
}

var _ fault.Notifier = (*Notifier)(nil)

// New returns a notifier for opts.Target. It opens its UDP socket on the
// first trap.
func New(opts Options) (*Notifier, error) {
	if opts.Target == "" {
		return nil, &fault.FieldError{Field: "target", Reason: "the trap receiver host:port is required"}
	}
	host, port, err := net.SplitHostPort(opts.Target)
	if err != nil {
		host, port = opts.Target, "162"
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || host == "" {
		return nil, &fault.FieldError{Field: "target", Reason: fmt.Sprintf("%q is not host:port", opts.Target)}
	}
	if opts.Community == "" {
		opts.Community = "public"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Second
	}
	n := &Notifier{opts: opts, start: time.Now()}
	n.g = &gosnmp.GoSNMP{Target: host, Port: uint16(p), Community: opts.Community, Version: gosnmp.Version2c,
		Timeout: opts.Timeout, Retries: 0, MaxOids: gosnmp.MaxOids}
	return n, nil
}

// Notify sends the trap for note.
func (n *Notifier) Notify(ctx context.Context, note fault.Notification) error {
	trap, err := n.Trap(note)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.g.Conn == nil {
		if err := n.g.Connect(); err != nil {
			return fmt.Errorf("snmptrap: connect %s: %w: %w", n.opts.Target, fault.ErrUnavailable, err)
		}
	}
	if d, ok := ctx.Deadline(); ok {
		_ = n.g.Conn.SetWriteDeadline(d)
	}
	if _, err := n.g.SendTrap(trap); err != nil {
		return fmt.Errorf("snmptrap: send to %s: %w: %w", n.opts.Target, fault.ErrUnavailable, err)
	}
	return nil
}

// Close closes the socket.
func (n *Notifier) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.g.Conn != nil {
		err := n.g.Conn.Close()
		n.g.Conn = nil
		return err
	}
	return nil
}

// Trap builds the trap PDU of note: sysUpTime, snmpTrapOID, then the
// varbinds of its kind.
func (n *Notifier) Trap(note fault.Notification) (gosnmp.SnmpTrap, error) {
	a := note.Alarm
	eid := a.EntityInstanceID
	if n.opts.System != "" {
		eid = "system=" + n.opts.System + "." + eid
	}
	if n.opts.Region != "" {
		eid = "region=" + n.opts.Region + "." + eid
	}
	var oid string
	var vars []gosnmp.SnmpPDU
	str := func(col int, v string) gosnmp.SnmpPDU {
		return gosnmp.SnmpPDU{Name: Column(col), Type: gosnmp.OctetString, Value: v}
	}
	num := func(col, v int) gosnmp.SnmpPDU {
		return gosnmp.SnmpPDU{Name: Column(col), Type: gosnmp.Integer, Value: v}
	}
	when := gosnmp.SnmpPDU{Name: Column(ColDateAndTime), Type: gosnmp.OctetString, Value: DateAndTime(a.Timestamp)}
	switch note.Kind {
	case fault.NotifySet, fault.NotifyLog:
		if note.Kind == fault.NotifyLog {
			oid = TrapMessage
		} else {
			switch a.Severity {
			case fault.SeverityCritical:
				oid = TrapCritical
			case fault.SeverityMajor:
				oid = TrapMajor
			case fault.SeverityMinor:
				oid = TrapMinor
			default:
				oid = TrapWarning
			}
		}
		vars = []gosnmp.SnmpPDU{
			str(ColUUID, a.UUID), str(ColAlarmID, a.AlarmID), str(ColEntityInstanceID, eid), when,
			num(ColSeverity, int(a.Severity)), str(ColReasonText, a.ReasonText), num(ColEventType, int(a.AlarmType)),
			num(ColProbableCause, int(a.ProbableCause)), str(ColRepairAction, a.ProposedRepairAction),
			num(ColServiceAffecting, b2i(a.ServiceAffecting)), num(ColSuppression, b2i(a.Suppression)),
		}
	case fault.NotifyClear:
		oid = TrapClear
		vars = []gosnmp.SnmpPDU{str(ColAlarmID, a.AlarmID), str(ColEntityInstanceID, eid), when, str(ColReasonText, a.ReasonText)}
	case fault.NotifyHierarchicalClear:
		oid = TrapHierarchicalClear
		vars = []gosnmp.SnmpPDU{str(ColEntityInstanceID, eid), when, str(ColReasonText, a.ReasonText)}
	case fault.NotifySuppressionChanged:
		oid = TrapWarmStart
	default:
		return gosnmp.SnmpTrap{}, fmt.Errorf("snmptrap: %w: notification kind %d", fault.ErrInvalid, note.Kind)
	}
	up := uint32(time.Since(n.start) / (10 * time.Millisecond))
	head := []gosnmp.SnmpPDU{
		{Name: sysUpTime, Type: gosnmp.TimeTicks, Value: up},
		{Name: snmpTrapOID, Type: gosnmp.ObjectIdentifier, Value: oid},
	}
	return gosnmp.SnmpTrap{Variables: append(head, vars...)}, nil
}

// DateAndTime encodes t (UTC) as SNMPv2-TC DateAndTime: 11 octets.
func DateAndTime(t time.Time) string {
	t = t.UTC()
	y := t.Year()
	return string([]byte{byte(y >> 8), byte(y), byte(t.Month()), byte(t.Day()), byte(t.Hour()), byte(t.Minute()),
		byte(t.Second()), byte(t.Nanosecond() / 100_000_000), '+', 0, 0})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// As reaches the native client: target must be a **gosnmp.GoSNMP. Use it
// only for what the Notifier does not offer (it shares the socket).
func (n *Notifier) As(target any) bool {
	if p, ok := target.(**gosnmp.GoSNMP); ok {
		*p = n.g
		return true
	}
	return false
}
