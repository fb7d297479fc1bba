package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
)

func tf(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000") }

func alarmCommands(g *globals) []*cobra.Command {
	var (
		qs                          []string
		includeSuppress, mgmt, degr bool
		includeMasked, showUUID     bool
		limit                       int
		sortKey                     string
	)
	list := &cobra.Command{
		Use:   "alarm-list",
		Short: "List the active alarms",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, _ []string, c *faulthttp.Client) error {
			f, err := parseQuery(qs)
			if err != nil {
				return err
			}
			q := fault.AlarmQuery{IncludeSuppressed: includeSuppress, IncludeMasked: includeMasked,
				MgmtAffecting: mgmt, DegradeAffecting: degr, Limit: limit, SortKey: sortKey}
			for k, v := range f {
				switch k {
				case "alarm_id":
					q.AlarmID = v
				case "entity_instance_id":
					q.EntityPrefix = v
				case "entity_type_id":
					q.EntityTypeID = v
				case "severity":
					if q.Severity, err = fault.ParseSeverity(v); err != nil {
						return fmt.Errorf("-q severity: %w", err)
					}
				default:
					return fmt.Errorf("-q: cannot filter on %q (alarm_id, entity_instance_id, entity_type_id, severity)", k)
				}
			}
			as, err := c.ListAlarms(cmd.Context(), q)
			if err != nil {
				return err
			}
			t := table{header: []string{"Alarm ID", "Reason Text", "Entity ID", "Severity", "Time Stamp", "Ack"}}
			if showUUID {
				t.header = append([]string{"UUID"}, t.header...)
			}
			for _, a := range as {
				ack := ""
				if a.Ack != nil {
					ack = a.Ack.By
				}
				row := []string{a.AlarmID, a.ReasonText, a.EntityInstanceID, a.Severity.String(), ts(a.Timestamp), ack}
				if showUUID {
					row = append([]string{a.UUID}, row...)
				}
				t.rows = append(t.rows, row)
			}
			if as == nil {
				as = []fault.Alarm{}
			}
			return g.print(as, t)
		}),
	}
	list.Flags().StringArrayVarP(&qs, "query", "q", nil, "filter: key=value[;key=value] (alarm_id, entity_instance_id, entity_type_id, severity)")
	list.Flags().BoolVar(&showUUID, "uuid", false, "show the uuid column")
	list.Flags().BoolVar(&includeSuppress, "include-suppress", false, "include alarms of suppressed ids")
	list.Flags().BoolVar(&includeMasked, "include-masked", false, "include alarms masked by an inhibiting alarm")
	list.Flags().BoolVar(&mgmt, "mgmt-affecting", false, "only management-affecting alarms")
	list.Flags().BoolVar(&degr, "degrade-affecting", false, "only degrade-affecting alarms")
	list.Flags().IntVarP(&limit, "limit", "l", 0, "at most this many alarms")
	list.Flags().StringVar(&sortKey, "sort-key", "", "id, timestamp, severity, alarm_id, entity_instance_id or uuid")

	show := &cobra.Command{
		Use:   "alarm-show UUID",
		Short: "Show one alarm",
		Args:  cobra.ExactArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, args []string, c *faulthttp.Client) error {
			a, err := c.GetAlarm(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return g.showAlarm(a)
		}),
	}

	del := &cobra.Command{
		Use:   "alarm-delete UUID...",
		Short: "Delete (clear) alarms by uuid",
		Args:  cobra.MinimumNArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, args []string, c *faulthttp.Client) error {
			for _, u := range args {
				if err := c.DeleteAlarm(cmd.Context(), u); err != nil {
					return err
				}
				fmt.Fprintf(g.out, "Deleted alarm %s\n", u)
			}
			return nil
		}),
	}

	var sumSuppress bool
	summary := &cobra.Command{
		Use:   "alarm-summary",
		Short: "Count the active alarms by severity",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, _ []string, c *faulthttp.Client) error {
			s, err := c.Summary(cmd.Context(), sumSuppress)
			if err != nil {
				return err
			}
			return g.print(s, table{header: []string{"Critical Alarms", "Major Alarms", "Minor Alarms", "Warnings", "Status"},
				rows: [][]string{{strconv.Itoa(s.Critical), strconv.Itoa(s.Major), strconv.Itoa(s.Minor), strconv.Itoa(s.Warnings), s.Status}}})
		}),
	}
	summary.Flags().BoolVar(&sumSuppress, "include-suppress", false, "count alarms of suppressed ids")

	var by string
	ack := &cobra.Command{
		Use:   "alarm-ack UUID",
		Short: "Acknowledge an alarm",
		Args:  cobra.ExactArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, args []string, c *faulthttp.Client) error {
			a, err := c.AckAlarm(cmd.Context(), args[0], by)
			if err != nil {
				return err
			}
			return g.showAlarm(a)
		}),
	}
	ack.Flags().StringVar(&by, "by", envOr("USER", "operator"), "who acknowledges")

	raise := raiseCommand(g)
	var clearID, clearEID string
	clr := &cobra.Command{
		Use:   "alarm-clear --alarm-id ID --eid ENTITY",
		Short: "Clear the alarms of an id at or below an entity (for scripts)",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, _ []string, c *faulthttp.Client) error {
			if err := c.ClearAlarm(cmd.Context(), clearID, clearEID); err != nil {
				return err
			}
			fmt.Fprintf(g.out, "Cleared %s %s\n", clearID, clearEID)
			return nil
		}),
	}
	clr.Flags().StringVar(&clearID, "alarm-id", "", "alarm id, GGG.EEE")
	clr.Flags().StringVar(&clearEID, "eid", "", "entity instance id (prefix, whole components)")
	_ = clr.MarkFlagRequired("alarm-id")
	_ = clr.MarkFlagRequired("eid")
	return []*cobra.Command{list, show, del, summary, ack, raise, clr}
}

func (g *globals) showAlarm(a fault.Alarm) error {
	ack, ackAt := "", ""
	if a.Ack != nil {
		ack, ackAt = a.Ack.By, ts(a.Ack.At)
	}
	return g.fields(a, [][2]string{
		{"alarm_id", a.AlarmID}, {"alarm_state", a.State.String()}, {"alarm_type", a.AlarmType.String()},
		{"degrade_affecting", tf(a.DegradeAffecting)}, {"entity_instance_id", a.EntityInstanceID},
		{"entity_type_id", a.EntityTypeID}, {"mgmt_affecting", tf(a.MgmtAffecting)},
		{"probable_cause", a.ProbableCause.String()}, {"proposed_repair_action", a.ProposedRepairAction},
		{"reason_text", a.ReasonText}, {"service_affecting", tf(a.ServiceAffecting)},
		{"severity", a.Severity.String()}, {"suppression", tf(a.Suppression)},
		{"suppression_status", string(a.SuppressionStatus)}, {"timestamp", ts(a.Timestamp)}, {"uuid", a.UUID},
		{"ack_by", ack}, {"ack_at", ackAt},
	})
}

// raiseCommand is alarm-raise: any field not given comes from the catalog
// entry of the id.
func raiseCommand(g *globals) *cobra.Command {
	var id, eid, etype, sev, reason, atype, cause, repair, state string
	var svc, supp, inhibit, keep bool
	cmd := &cobra.Command{
		Use:   "alarm-raise --alarm-id ID --eid ENTITY --severity SEV",
		Short: "Raise an alarm or record a log (for scripts); unset fields come from the catalog",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, _ []string, c *faulthttp.Client) error {
			a := fault.Alarm{AlarmID: id, EntityInstanceID: eid, EntityTypeID: etype, ReasonText: reason,
				ProposedRepairAction: repair, KeepExisting: keep}
			var err error
			if a.State, err = fault.ParseState(state); err != nil {
				return fmt.Errorf("--state: %w", err)
			}
			d, known := fault.DefaultCatalog().Lookup(id)
			if sev == "" && known && len(d.Severities) > 0 {
				sev = d.Severities[0].String()
			}
			if a.Severity, err = fault.ParseSeverity(sev); err != nil {
				return fmt.Errorf("--severity: %w", err)
			}
			if known {
				a.AlarmType, a.ProbableCause = d.AlarmType, d.ProbableCause
				a.ServiceAffecting, a.Suppression, a.InhibitAlarms = d.ServiceAffecting, d.Suppression, d.InhibitAlarms
				if a.ReasonText == "" {
					a.ReasonText = d.Description
				}
				if a.ProposedRepairAction == "" {
					a.ProposedRepairAction = d.ProposedRepairAction
				}
			}
			if atype != "" {
				if a.AlarmType, err = fault.ParseAlarmType(atype); err != nil {
					return fmt.Errorf("--type: %w", err)
				}
			}
			if cause != "" {
				if a.ProbableCause, err = fault.ParseProbableCause(cause); err != nil {
					return fmt.Errorf("--cause: %w", err)
				}
			}
			f := cmd.Flags()
			if f.Changed("service-affecting") {
				a.ServiceAffecting = svc
			}
			if f.Changed("suppression") {
				a.Suppression = supp
			}
			if f.Changed("inhibit") {
				a.InhibitAlarms = inhibit
			}
			if a.EntityTypeID == "" {
				a.EntityTypeID, _, _ = strings.Cut(eid, "=")
			}
			var u string
			if a.State == fault.StateSet {
				u, err = c.SetAlarm(cmd.Context(), a)
			} else {
				u, err = c.Log(cmd.Context(), a)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(g.out, u)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&id, "alarm-id", "", "alarm id, GGG.EEE")
	f.StringVar(&eid, "eid", "", "entity instance id, e.g. host=controller-0")
	f.StringVar(&etype, "entity-type", "", "entity type (default the first key of --eid)")
	f.StringVar(&sev, "severity", "", "critical, major, minor or warning (default the catalog's first)")
	f.StringVar(&reason, "reason", "", "reason text (default the catalog description)")
	f.StringVar(&atype, "type", "", "alarm type (default from the catalog)")
	f.StringVar(&cause, "cause", "", "probable cause (default from the catalog)")
	f.StringVar(&repair, "repair", "", "proposed repair action (default from the catalog)")
	f.StringVar(&state, "state", "set", "set, log or msg")
	f.BoolVar(&svc, "service-affecting", false, "service affecting")
	f.BoolVar(&supp, "suppression", false, "may be masked by an inhibiting alarm")
	f.BoolVar(&inhibit, "inhibit", false, "masks the alarms below its entity")
	f.BoolVar(&keep, "keep-existing", false, "leave an existing alarm untouched")
	_ = cmd.MarkFlagRequired("alarm-id")
	_ = cmd.MarkFlagRequired("eid")
	return cmd
}
