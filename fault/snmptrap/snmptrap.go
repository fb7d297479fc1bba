// Package snmptrap is the SNMP engine of fault.Notifier: it sends SNMPv2c
// traps as StarlingX does, so that an SNMP manager set up for StarlingX
// understands a Flock controller unchanged. The MIB is shipped beside this
// file, in Flock's words with StarlingX's names, syntaxes and object
// identifiers: mibs/WRS-ALARM-MIB and the registration module it imports,
// mibs/WRS-ENTERPRISE-REG-MIB.
//
// Traps (WRS-ALARM-MIB, under 1.3.6.1.4.1.731.1.1.1.1.0):
//
//	.1 .2 .3 .4  wrsAlarmCritical, Major, Minor, Warning: an alarm was set
//	.5           wrsAlarmMessage: a log was recorded
//	.9           wrsAlarmClear: an alarm was cleared
//	.99          wrsAlarmHierarchicalClear: every alarm at or below an entity
//
// and SNMPv2-MIB warmStart (1.3.6.1.6.3.1.1.5.2), with no varbinds, when
// the suppression table changed. The manager (fault.Manager) decides what
// to send: nothing for suppressed alarm ids, one warmStart per batch of
// suppression changes (fault.Options.SuppressionNotifyDelay).
//
// Varbinds follow sysUpTime.0 and snmpTrapOID.0 in the order StarlingX's
// trap agent sends them, wrsAlarmActiveUuid first in every trap but
// warmStart. wrsAlarmActiveDateAndTime carries the time as StarlingX's
// agent writes it: the text "YYYY-MM-DD,hh:mm:ss.0,+0:0" (UTC, whole
// seconds) in an OCTET STRING, not the 8 or 11 octets of SNMPv2-TC's
// DateAndTime; see [TrapTime].
package snmptrap

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/gosnmp/gosnmp"

	"github.com/edgeflock/flock/fault"
)

// OIDs of the traps.
const (
	// AlarmObjects is wrsAlarmObjects.
	AlarmObjects = "1.3.6.1.4.1.731.1.1.1.1"
	// TrapPrefix is wrsTrapPrefix, the parent of the alarm traps.
	TrapPrefix = AlarmObjects + ".0"
	// ActiveColumn is wrsAlarmActiveEntry: varbind N is column N of it,
	// instance 0 (see Column).
	ActiveColumn = AlarmObjects + ".1.1"

	TrapCritical          = TrapPrefix + ".1"       // wrsAlarmCritical
	TrapMajor             = TrapPrefix + ".2"       // wrsAlarmMajor
	TrapMinor             = TrapPrefix + ".3"       // wrsAlarmMinor
	TrapWarning           = TrapPrefix + ".4"       // wrsAlarmWarning
	TrapMessage           = TrapPrefix + ".5"       // wrsAlarmMessage
	TrapClear             = TrapPrefix + ".9"       // wrsAlarmClear
	TrapHierarchicalClear = TrapPrefix + ".99"      // wrsAlarmHierarchicalClear
	TrapWarmStart         = "1.3.6.1.6.3.1.1.5.2"   // SNMPv2-MIB warmStart
	sysUpTime             = "1.3.6.1.2.1.1.3.0"     // SNMPv2-MIB sysUpTime.0
	snmpTrapOID           = "1.3.6.1.6.3.1.1.4.1.0" // SNMPv2-MIB snmpTrapOID.0
)

// Columns of wrsAlarmActiveEntry, the varbinds of the alarm traps.
const (
	ColUUID                 = 2  // wrsAlarmActiveUuid
	ColAlarmID              = 3  // wrsAlarmActiveAlarmId
	ColEntityInstanceID     = 4  // wrsAlarmActiveEntityInstanceId
	ColDateAndTime          = 5  // wrsAlarmActiveDateAndTime
	ColSeverity             = 6  // wrsAlarmActiveAlarmSeverity
	ColReasonText           = 7  // wrsAlarmActiveReasonText
	ColEventType            = 8  // wrsAlarmActiveEventType
	ColProbableCause        = 9  // wrsAlarmActiveProbableCause
	ColProposedRepairAction = 10 // wrsAlarmActiveProposedRepairAction
	ColServiceAffecting     = 11 // wrsAlarmActiveServiceAffecting
	ColSuppressionAllowed   = 12 // wrsAlarmActiveSuppressionAllowed
)

// Column returns the varbind OID of column col, instance 0.
func Column(col int) string { return ActiveColumn + "." + strconv.Itoa(col) + ".0" }

// noRepairAction is what StarlingX's wrsAlarmMessage trap carries as the
// repair action of a log.
const noRepairAction = "N/A"

// Options configure a Notifier. The zero value, like nil, means the
// defaults.
type Options struct {
	// Community is the SNMPv2c community (default "public").
	Community string `yaml:"community" json:"community"`
	// Timeout bounds sending one trap (default 2 s).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Region and System, if set, prefix every entity instance id with
	// "region=<r>." and "system=<s>.", as StarlingX does for managers of
	// several sites.
	Region string `yaml:"region" json:"region"`
	System string `yaml:"system" json:"system"`
}

// Notifier sends fault notifications as SNMPv2c traps. It is safe for
// concurrent use.
type Notifier struct {
	target string
	opts   Options
	start  time.Time
	mu     sync.Mutex
	g      *gosnmp.GoSNMP
}

var _ fault.Notifier = (*Notifier)(nil)

// New returns a notifier that sends traps to target, "host" or
// "host:port" (port 162 by default). It opens its UDP socket on the first
// trap, and starts nothing.
func New(target string, opts *Options) (*Notifier, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if target == "" {
		return nil, &fault.FieldError{Field: "target", Reason: "the trap receiver, host or host:port, is required"}
	}
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		host, port = target, "162"
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || host == "" || p == 0 {
		return nil, &fault.FieldError{Field: "target", Reason: fmt.Sprintf("%q is not host or host:port", target)}
	}
	if o.Timeout < 0 {
		return nil, &fault.FieldError{Field: "timeout", Reason: "must not be negative"}
	}
	if o.Community == "" {
		o.Community = "public"
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	n := &Notifier{target: target, opts: o, start: time.Now()}
	n.g = &gosnmp.GoSNMP{Target: host, Port: uint16(p), Community: o.Community, Version: gosnmp.Version2c,
		Timeout: o.Timeout, Retries: 0, MaxOids: gosnmp.MaxOids, Context: context.Background()}
	return n, nil
}

// Notify sends the trap for note. It fails with fault.ErrInvalid for a
// kind it does not know and with fault.ErrUnavailable when the trap could
// not be sent; the manager retries the latter.
func (n *Notifier) Notify(ctx context.Context, note fault.Notification) error {
	trap, err := n.Trap(note)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("snmptrap: send to %s: %w", n.target, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.g.Conn == nil {
		if err := n.g.Connect(); err != nil {
			return fmt.Errorf("snmptrap: connect to %s: %w: %w", n.target, fault.ErrUnavailable, err)
		}
	}
	deadline := time.Now().Add(n.opts.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	_ = n.g.Conn.SetWriteDeadline(deadline)
	n.g.Context = ctx
	defer func() { n.g.Context = context.Background() }()
	if _, err := n.g.SendTrap(trap); err != nil {
		return fmt.Errorf("snmptrap: send to %s: %w: %w", n.target, fault.ErrUnavailable, err)
	}
	return nil
}

// Close closes the socket. A later Notify opens a new one.
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

// Trap builds the trap of note: sysUpTime.0, snmpTrapOID.0, then the
// varbinds StarlingX's trap agent sends for that kind of notification.
// A hierarchical clear without a uuid gets a fresh one, as StarlingX gives
// each of its clear events.
func (n *Notifier) Trap(note fault.Notification) (gosnmp.SnmpTrap, error) {
	a := note.Alarm
	eid := a.EntityInstanceID
	if n.opts.System != "" {
		eid = "system=" + n.opts.System + "." + eid
	}
	if n.opts.Region != "" {
		eid = "region=" + n.opts.Region + "." + eid
	}
	str := func(col int, v string) gosnmp.SnmpPDU {
		return gosnmp.SnmpPDU{Name: Column(col), Type: gosnmp.OctetString, Value: v}
	}
	num := func(col, v int) gosnmp.SnmpPDU {
		return gosnmp.SnmpPDU{Name: Column(col), Type: gosnmp.Integer, Value: v}
	}
	var oid string
	var vars []gosnmp.SnmpPDU
	switch note.Kind {
	case fault.NotifySet:
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
		vars = []gosnmp.SnmpPDU{
			str(ColUUID, a.UUID), str(ColAlarmID, a.AlarmID), str(ColEntityInstanceID, eid),
			str(ColDateAndTime, TrapTime(a.Timestamp)), num(ColSeverity, int(a.Severity)),
			str(ColReasonText, a.ReasonText), num(ColEventType, int(a.AlarmType)),
			num(ColProbableCause, int(a.ProbableCause)), str(ColProposedRepairAction, a.ProposedRepairAction),
			num(ColServiceAffecting, b2i(a.ServiceAffecting)), num(ColSuppressionAllowed, b2i(a.Suppression)),
		}
	case fault.NotifyLog:
		// StarlingX sends a log in the active-alarm columns, with N/A for
		// a repair action and suppression never allowed.
		oid = TrapMessage
		repair := a.ProposedRepairAction
		if repair == "" {
			repair = noRepairAction
		}
		vars = []gosnmp.SnmpPDU{
			str(ColUUID, a.UUID), str(ColAlarmID, a.AlarmID), str(ColEntityInstanceID, eid),
			str(ColDateAndTime, TrapTime(a.Timestamp)), num(ColSeverity, int(a.Severity)),
			str(ColReasonText, a.ReasonText), num(ColEventType, int(a.AlarmType)),
			num(ColProbableCause, int(a.ProbableCause)), str(ColProposedRepairAction, repair),
			num(ColServiceAffecting, b2i(a.ServiceAffecting)), num(ColSuppressionAllowed, 0),
		}
	case fault.NotifyClear:
		oid = TrapClear
		vars = []gosnmp.SnmpPDU{
			str(ColUUID, a.UUID), str(ColAlarmID, a.AlarmID), str(ColEntityInstanceID, eid),
			str(ColDateAndTime, TrapTime(a.Timestamp)), str(ColReasonText, a.ReasonText),
		}
	case fault.NotifyHierarchicalClear:
		oid = TrapHierarchicalClear
		u := a.UUID
		if u == "" {
			u = newUUID()
		}
		reason := a.ReasonText
		if reason == "" {
			reason = fault.HierarchicalClearReason
		}
		vars = []gosnmp.SnmpPDU{
			str(ColUUID, u), str(ColEntityInstanceID, eid),
			str(ColDateAndTime, TrapTime(a.Timestamp)), str(ColReasonText, reason),
		}
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

// TrapTime formats t as StarlingX's trap agent sends it in
// wrsAlarmActiveDateAndTime: "YYYY-MM-DD,hh:mm:ss.0,+0:0" in UTC, the
// tenths always 0 (fmManager formats with strftime
// "%Y-%m-%d,%H:%M:%S.0,+0:0" and the agent sends the text as an OCTET
// STRING). The zero time, which no notification from fault.Manager has,
// means now, as for StarlingX's hierarchical clear.
func TrapTime(t time.Time) string {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC().Format("2006-01-02,15:04:05") + ".0,+0:0"
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// As reaches the native client: target must be a **gosnmp.GoSNMP. Use it
// only for what the Notifier does not offer; it shares the Notifier's
// socket and is not safe to use while the Notifier sends.
func (n *Notifier) As(target any) bool {
	if p, ok := target.(**gosnmp.GoSNMP); ok {
		*p = n.g
		return true
	}
	return false
}
