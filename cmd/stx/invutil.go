package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/edgeflock/flock/inventory"
)

// Helpers shared by the inventory verbs: StarlingX's value formats,
// argparse compatibility, and lookups of host sub-resources by the names
// the system CLI accepts.

// singleDashFlags lets cmd accept argparse's multi-letter single-dash
// flags (-p0, -2M, -la), each an alias of a long flag: pflag would read
// "-p0" as the shorthand -p with the value "0", so the command parses its
// own arguments after rewriting each alias (and "-alias=value") to its
// long form. Everything else parses as usual.
func singleDashFlags(cmd *cobra.Command, alias map[string]string) {
	run, validate := cmd.RunE, cmd.Args
	cmd.DisableFlagParsing = true
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(c *cobra.Command, raw []string) error {
		args := make([]string, 0, len(raw))
		for i, a := range raw {
			if a == "--" {
				args = append(args, raw[i:]...)
				break
			}
			name, val, hasVal := strings.Cut(a, "=")
			if long, ok := alias[name]; ok {
				a = long
				if hasVal {
					a += "=" + val
				}
			}
			args = append(args, a)
		}
		c.DisableFlagParsing = false
		defer func() { c.DisableFlagParsing = true }()
		if err := c.ParseFlags(args); err != nil {
			return c.FlagErrorFunc()(c, err)
		}
		if help, _ := c.Flags().GetBool("help"); help {
			return c.Help()
		}
		if err := c.ValidateRequiredFlags(); err != nil {
			return err
		}
		pos := c.Flags().Args()
		if validate != nil {
			if err := validate(c, pos); err != nil {
				return err
			}
		}
		return run(c, pos)
	}
}

// unsupportedAnnotation marks the system CLI's flags that Flock's
// inventory has no field for: accepted by the parser so that the error
// says why, refused by withInventory when given.
const unsupportedAnnotation = "flock-unsupported"

// unsupported declares string flags (long name, shorthand or "") that
// the command refuses when given, naming the reason.
func unsupported(f *pflag.FlagSet, reason string, flags ...[2]string) {
	for _, fl := range flags {
		f.StringP(fl[0], fl[1], "", "not supported: "+reason)
		_ = f.SetAnnotation(fl[0], unsupportedAnnotation, []string{reason})
		_ = f.MarkHidden(fl[0])
	}
}

// refuseUnsupported returns an error naming the first unsupported flag
// the command was given.
func refuseUnsupported(cmd *cobra.Command) error {
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if r, ok := fl.Annotations[unsupportedAnnotation]; ok && err == nil {
			err = fmt.Errorf("--%s is not supported: %s", fl.Name, r[0])
		}
	})
	return err
}

// noInv is the reason given for a flag whose field the inventory lacks.
func noInv(field string) string { return "Flock's inventory has no " + field }

// bmPassword returns the BMC password given on the command line: "-"
// means $STX_BM_PASSWORD, so that it stays out of the process list.
func bmPassword(flag, v string) (string, error) {
	if v != "-" {
		return v, nil
	}
	p := os.Getenv("STX_BM_PASSWORD")
	if p == "" {
		return "", fmt.Errorf("%s -: $STX_BM_PASSWORD is empty", flag)
	}
	return p, nil
}

// keyValues parses name=value arguments in order.
func keyValues(args []string, what string) ([][2]string, error) {
	out := make([][2]string, 0, len(args))
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%s must be a list of %s=VALUE, not %q", what, strings.ToUpper(what[:len(what)-1]), a)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// atoi parses an integer argument or flag value, naming it on error.
func atoi(name, v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not an integer", name, v)
	}
	return n, nil
}

// pyBool prints a boolean as the system CLI does.
func pyBool(b bool) string { return tf(b) }

// orNone prints an empty value as the system CLI prints null.
func orNone(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

// intOrNone prints an optional integer.
func intOrNone(p *int) string {
	if p == nil {
		return "None"
	}
	return strconv.Itoa(*p)
}

// pyList prints names as a Python list, as the system CLI prints them.
func pyList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// pyFloat prints a float as Python's str does (2.0, 223.57).
func pyFloat(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

// gib converts MiB to GiB truncated to three decimals, the system CLI's
// size_gib.
func gib(mib int) string { return pyFloat(math.Floor(float64(mib)/1024*1000) / 1000) }

// gibBytes converts bytes to GiB truncated to three decimals.
func gibBytes(b int64) string {
	return pyFloat(math.Floor(float64(b)/(1<<30)*1000) / 1000)
}

// jsonText prints a map or list field compactly; empty as {}.
func jsonText(v map[string]any) string {
	if len(v) == 0 {
		return "{}"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// when prints a record's time, None when it has none.
func when(t time.Time) string {
	if t.IsZero() {
		return "None"
	}
	return ts(t)
}

// itoa is strconv.Itoa for any integer.
func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }

// cell prints a JSON value of a --column: strings as they are, null as
// None, booleans as True/False, objects compactly.
func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		return pyBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// columns returns the named JSON fields of v, for --column.
func columns(v any, what string, cols []string) ([]string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		x, ok := m[c]
		if !ok {
			return nil, fmt.Errorf("--column: a %s has no field %q", what, c)
		}
		out[i] = cell(x)
	}
	return out, nil
}

// sortedFields sorts property rows by name, as the system CLI's
// print_dict does.
func sortedFields(kv [][2]string) [][2]string {
	sort.SliceStable(kv, func(i, j int) bool { return kv[i][0] < kv[j][0] })
	return kv
}

// lookup errors name what was not found, wrapping inventory.ErrNotFound.
func notFound(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, inventory.ErrNotFound)...)
}

// findDisk returns a host's disk by uuid, device node or device path.
func findDisk(ctx context.Context, s inventory.Service, host, arg string) (inventory.Disk, error) {
	ds, err := s.ListDisks(ctx, host)
	if err != nil {
		return inventory.Disk{}, err
	}
	for _, d := range ds {
		if d.UUID == arg || d.DeviceNode == arg || d.DevicePath == arg {
			return d, nil
		}
	}
	return inventory.Disk{}, notFound("disk not found on host %s: %s", host, arg)
}

// findPartition returns a host's partition by uuid or device path.
func findPartition(ctx context.Context, s inventory.Service, host, arg string) (inventory.Partition, error) {
	ps, err := s.ListPartitions(ctx, host, "")
	if err != nil {
		return inventory.Partition{}, err
	}
	for _, p := range ps {
		if p.UUID == arg || p.DevicePath == arg || p.DeviceNode == arg {
			return p, nil
		}
	}
	return inventory.Partition{}, notFound("partition not found on host '%s' by device path or uuid: %s", host, arg)
}

// findLVG returns a host's volume group by name, uuid or id.
func findLVG(ctx context.Context, s inventory.Service, host, arg string) (inventory.LVG, error) {
	ls, err := s.ListLVGs(ctx, host)
	if err != nil {
		return inventory.LVG{}, err
	}
	for _, l := range ls {
		if l.LVMVGName == arg || l.UUID == arg || itoa(l.ID) == arg {
			return l, nil
		}
	}
	return inventory.LVG{}, notFound("local volume group not found on host %s: %s", host, arg)
}

// findInterface returns a host's interface by name or uuid.
func findInterface(ctx context.Context, s inventory.Service, host, arg string) (inventory.Interface, error) {
	is, err := s.ListInterfaces(ctx, host)
	if err != nil {
		return inventory.Interface{}, err
	}
	for _, i := range is {
		if i.IfName == arg || i.UUID == arg {
			return i, nil
		}
	}
	return inventory.Interface{}, notFound("interface not found: host %s if %s", host, arg)
}
