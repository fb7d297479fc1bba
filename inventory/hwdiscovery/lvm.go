package hwdiscovery

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// lvm reads the volume groups from LVM's metadata backups in
// /etc/lvm/backup, which LVM rewrites after every change of a group's
// metadata. Without them, a machine whose udev database shows LVM
// physical volumes, or with device-mapper devices, has its LVM facts
// unknown: reading the on-disk metadata needs the lvm tools.
func (r *run) lvm() {
	r.f.LVM = LVM{VGs: []VG{}, PVs: []PV{}}
	const dir = "etc/lvm/backup"
	names, err := r.t.list(dir)
	if err != nil || len(names) == 0 {
		if r.hasLVMDevices() {
			why := "/etc/lvm/backup has no volume group"
			if err != nil {
				why = reason(dir, err)
			}
			r.unknown("lvm", why+", yet the machine has LVM devices: their metadata is readable only by the lvm tools")
		}
		return
	}
	for _, n := range names {
		s, err := r.t.read(dir + "/" + n)
		if err != nil {
			r.unknown("lvm.vgs["+n+"]", reason(dir+"/"+n, err))
			continue
		}
		vg, pvs, err := parseLVMBackup(s)
		if err != nil {
			r.unknown("lvm.vgs["+n+"]", "/"+dir+"/"+n+": "+err.Error())
			continue
		}
		r.f.LVM.VGs = append(r.f.LVM.VGs, vg)
		r.f.LVM.PVs = append(r.f.LVM.PVs, pvs...)
	}
}

// hasLVMDevices tells whether the machine has device-mapper devices
// (LVM's logical volumes are some).
func (r *run) hasLVMDevices() bool {
	names, err := r.t.list("sys/block")
	if err != nil {
		return false
	}
	for _, n := range names {
		if strings.HasPrefix(n, "dm-") {
			if uuid, err := r.t.line("sys/block/" + n + "/dm/uuid"); err == nil && strings.HasPrefix(uuid, "LVM-") {
				return true
			}
		}
	}
	return false
}

// lvmSection is a section of LVM's text metadata: its values (a string,
// an int64 or a []any) and its subsections, in order.
type lvmSection struct {
	Name     string
	Values   map[string]any
	Sections []*lvmSection
}

func (s *lvmSection) sub(name string) *lvmSection {
	for _, c := range s.Sections {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (s *lvmSection) str(k string) string {
	v, _ := s.Values[k].(string)
	return v
}

func (s *lvmSection) num(k string) int64 {
	v, _ := s.Values[k].(int64)
	return v
}

func (s *lvmSection) list(k string) []any {
	v, _ := s.Values[k].([]any)
	return v
}

// maxLVMDepth bounds the nesting of sections.
const maxLVMDepth = 16

// parseLVMText parses LVM's text metadata format into a root section.
func parseLVMText(s string) (*lvmSection, error) {
	toks, err := lvmTokens(s)
	if err != nil {
		return nil, err
	}
	root := &lvmSection{Values: map[string]any{}}
	stack := []*lvmSection{root}
	for i := 0; i < len(toks); i++ {
		cur := stack[len(stack)-1]
		t := toks[i]
		switch {
		case t == "}":
			if len(stack) == 1 {
				return nil, errors.New("metadata has an unmatched }")
			}
			stack = stack[:len(stack)-1]
		case i+1 < len(toks) && toks[i+1] == "{" && isIdent(t):
			if len(stack) > maxLVMDepth {
				return nil, errors.New("metadata is nested too deeply")
			}
			sec := &lvmSection{Name: t, Values: map[string]any{}}
			cur.Sections = append(cur.Sections, sec)
			stack = append(stack, sec)
			i++
		case i+2 < len(toks) && toks[i+1] == "=" && isIdent(t):
			v, n, err := lvmValue(toks[i+2:])
			if err != nil {
				return nil, fmt.Errorf("metadata value of %s: %w", t, err)
			}
			cur.Values[t] = v
			i += 1 + n
		default:
			return nil, fmt.Errorf("metadata has an unexpected %q", t)
		}
	}
	if len(stack) != 1 {
		return nil, errors.New("metadata has an unclosed section")
	}
	return root, nil
}

func isIdent(t string) bool {
	if t == "" || strings.ContainsAny(t[:1], `"[]{}=,`) {
		return false
	}
	return true
}

// lvmValue reads a value at toks[0] and returns it with the number of
// tokens it took.
func lvmValue(toks []string) (any, int, error) {
	if toks[0] != "[" {
		v, err := lvmScalar(toks[0])
		return v, 1, err
	}
	out := []any{}
	for i := 1; i < len(toks); i++ {
		switch toks[i] {
		case "]":
			return out, i + 1, nil
		case ",":
		default:
			v, err := lvmScalar(toks[i])
			if err != nil {
				return nil, 0, err
			}
			out = append(out, v)
		}
	}
	return nil, 0, errors.New("unclosed list")
}

func lvmScalar(t string) (any, error) {
	if strings.HasPrefix(t, `"`) {
		return t[1 : len(t)-1], nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(t, 64); ferr == nil {
			return int64(f), nil
		}
		return nil, fmt.Errorf("%q is neither a string nor a number", t)
	}
	return n, nil
}

// lvmTokens splits metadata text into tokens, dropping comments.
func lvmTokens(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("{}[]=,", c) >= 0:
			toks = append(toks, s[i:i+1])
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, errors.New("metadata has an unclosed string")
			}
			toks = append(toks, s[i:j+1])
			i = j + 1
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\r\n{}[]=,#\"", s[j]) < 0 {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks, nil
}

// parseLVMBackup reads a volume group and its physical volumes from an
// /etc/lvm/backup file.
func parseLVMBackup(s string) (VG, []PV, error) {
	root, err := parseLVMText(s)
	if err != nil {
		return VG{}, nil, err
	}
	if len(root.Sections) != 1 {
		return VG{}, nil, fmt.Errorf("metadata has %d volume groups, not 1", len(root.Sections))
	}
	g := root.Sections[0]
	vg := VG{
		Name: g.Name, UUID: g.str("id"), ExtentBytes: g.num("extent_size") * 512,
		MaxLV: int(g.num("max_lv")), MaxPV: int(g.num("max_pv")),
	}
	for _, st := range g.list("status") {
		vg.Writable = vg.Writable || st == "WRITE"
	}
	alloc := map[string]int{}
	if lvs := g.sub("logical_volumes"); lvs != nil {
		for _, lv := range lvs.Sections {
			visible := false
			for _, st := range lv.list("status") {
				visible = visible || st == "VISIBLE"
			}
			if visible {
				vg.LVs++
			}
			for _, seg := range lv.Sections {
				stripes := seg.list("stripes")
				var pvs []string
				for i := 0; i+1 < len(stripes); i += 2 {
					if n, ok := stripes[i].(string); ok {
						pvs = append(pvs, n)
					}
				}
				for _, n := range pvs {
					alloc[n] += int(seg.num("extent_count")) / len(pvs)
				}
			}
		}
	}
	var out []PV
	if pvs := g.sub("physical_volumes"); pvs != nil {
		for _, p := range pvs.Sections {
			pv := PV{
				Device: p.str("device"), VG: vg.Name, UUID: p.str("id"),
				SizeBytes: p.num("dev_size") * 512, PETotal: int(p.num("pe_count")), PEAlloc: alloc[p.Name],
			}
			vg.TotalPE += pv.PETotal
			vg.FreePE += pv.PETotal - pv.PEAlloc
			out = append(out, pv)
		}
	}
	vg.PVs = len(out)
	sort.Slice(out, func(i, j int) bool { return out[i].Device < out[j].Device })
	return vg, out, nil
}
