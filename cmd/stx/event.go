package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/edgeflock/flock/fault"
	"github.com/edgeflock/flock/fault/faulthttp"
)

func eventCommands(g *globals) []*cobra.Command {
	var qs []string
	var limit int
	var alarms, logs, includeSuppress bool
	list := &cobra.Command{
		Use:   "event-list",
		Short: "List the event log, newest first",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, _ []string, c *faulthttp.Client) error {
			f, err := parseQuery(qs)
			if err != nil {
				return err
			}
			q := fault.EventQuery{Limit: limit, AlarmsOnly: alarms, LogsOnly: logs, IncludeSuppressed: includeSuppress}
			for k, v := range f {
				switch k {
				case "event_log_id":
					q.EventLogID = v
				case "entity_instance_id":
					q.EntityPrefix = v
				case "entity_type_id":
					q.EntityTypeID = v
				case "severity":
					if q.Severity, err = fault.ParseSeverity(v); err != nil {
						return fmt.Errorf("-q severity: %w", err)
					}
				case "start", "end":
					t, err := faulthttp.ParseTime(v) // fm's forms: "20160131 10:23:45", "20171225", ISO 8601
					if err != nil {
						return fmt.Errorf("-q %s: %w", k, err)
					}
					if k == "start" {
						q.Start = t
					} else {
						q.End = t
					}
				default:
					return fmt.Errorf("-q: cannot filter on %q", k)
				}
			}
			es, err := c.ListEvents(cmd.Context(), q)
			if err != nil {
				return err
			}
			t := table{header: []string{"Time Stamp", "State", "Event Log ID", "Reason Text", "Entity Instance ID", "Severity"}}
			for _, e := range es {
				t.rows = append(t.rows, []string{ts(e.Timestamp), e.State.String(), e.EventLogID, e.ReasonText, e.EntityInstanceID, e.Severity.String()})
			}
			if es == nil {
				es = []fault.Event{}
			}
			return g.print(es, t)
		}),
	}
	list.Flags().StringArrayVarP(&qs, "query", "q", nil, "filter: key=value[;key=value] (event_log_id, entity_instance_id, entity_type_id, severity, start, end)")
	list.Flags().IntVarP(&limit, "limit", "l", 20, "at most this many records (0: all)")
	list.Flags().BoolVar(&alarms, "alarms", false, "only alarm set and clear records")
	list.Flags().BoolVar(&logs, "logs", false, "only logs")
	list.Flags().BoolVar(&includeSuppress, "include-suppress", false, "include records of suppressed ids")
	list.MarkFlagsMutuallyExclusive("alarms", "logs")

	show := &cobra.Command{
		Use:   "event-show UUID",
		Short: "Show one event log record",
		Args:  cobra.ExactArgs(1),
		RunE: g.withClient(func(cmd *cobra.Command, args []string, c *faulthttp.Client) error {
			e, err := c.GetEvent(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return g.fields(e, [][2]string{
				{"event_log_id", e.EventLogID}, {"state", e.State.String()}, {"entity_type_id", e.EntityTypeID},
				{"entity_instance_id", e.EntityInstanceID}, {"severity", e.Severity.String()},
				{"reason_text", e.ReasonText}, {"event_log_type", e.EventLogType.String()},
				{"probable_cause", e.ProbableCause.String()}, {"proposed_repair_action", e.ProposedRepairAction},
				{"service_affecting", tf(e.ServiceAffecting)}, {"suppression", tf(e.Suppression)},
				{"suppression_status", string(e.SuppressionStatus)}, {"timestamp", ts(e.Timestamp)}, {"uuid", e.UUID},
			})
		}),
	}

	setStatus := func(use, short string, status fault.SuppressionStatus) *cobra.Command {
		var ids string
		cmd := &cobra.Command{
			Use:   use + " --alarm-id ID[,ID...]",
			Short: short,
			Args:  cobra.NoArgs,
			RunE: g.withClient(func(cmd *cobra.Command, _ []string, c *faulthttp.Client) error {
				var done []fault.Suppression
				for _, id := range strings.Split(ids, ",") {
					if id = strings.TrimSpace(id); id == "" {
						continue
					}
					s, err := c.SetSuppression(cmd.Context(), id, status)
					if err != nil {
						return err
					}
					done = append(done, s)
				}
				return g.printSuppressions(done)
			}),
		}
		cmd.Flags().StringVar(&ids, "alarm-id", "", "comma-separated alarm ids")
		_ = cmd.MarkFlagRequired("alarm-id")
		return cmd
	}
	unsuppressAll := &cobra.Command{
		Use:   "event-unsuppress-all",
		Short: "Unsuppress every suppressed alarm id",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, _ []string, c *faulthttp.Client) error {
			sps, err := c.ListSuppressions(cmd.Context())
			if err != nil {
				return err
			}
			var done []fault.Suppression
			for _, s := range sps {
				if s.SuppressionStatus == fault.Suppressed {
					if s, err = c.SetSuppression(cmd.Context(), s.UUID, fault.Unsuppressed); err != nil {
						return err
					}
					done = append(done, s)
				}
			}
			return g.printSuppressions(done)
		}),
	}
	var includeUnsuppressed bool
	suppList := &cobra.Command{
		Use:   "event-suppress-list",
		Short: "List the suppressed alarm ids",
		Args:  cobra.NoArgs,
		RunE: g.withClient(func(cmd *cobra.Command, _ []string, c *faulthttp.Client) error {
			sps, err := c.ListSuppressions(cmd.Context())
			if err != nil {
				return err
			}
			var out []fault.Suppression
			for _, s := range sps {
				if includeUnsuppressed || s.SuppressionStatus == fault.Suppressed {
					out = append(out, s)
				}
			}
			return g.printSuppressions(out)
		}),
	}
	suppList.Flags().BoolVar(&includeUnsuppressed, "include-unsuppressed", false, "list every alarm id")
	return []*cobra.Command{list, show,
		setStatus("event-suppress", "Suppress alarm ids", fault.Suppressed),
		setStatus("event-unsuppress", "Unsuppress alarm ids", fault.Unsuppressed),
		unsuppressAll, suppList}
}

func (g *globals) printSuppressions(sps []fault.Suppression) error {
	t := table{header: []string{"Event ID", "Status", "Description"}}
	for _, s := range sps {
		t.rows = append(t.rows, []string{s.AlarmID, string(s.SuppressionStatus), s.Description})
	}
	if sps == nil {
		sps = []fault.Suppression{}
	}
	return g.print(sps, t)
}
