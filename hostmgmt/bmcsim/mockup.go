package bmcsim

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

//go:embed mockup/public-rackmount1
var embedded embed.FS

// root is the path of the service root; resources are keyed by their
// path without a trailing slash.
const root = "/redfish/v1"

// staticFile is a file of the mockup served as it is (a message
// registry, the $metadata document).
type staticFile struct {
	contentType string
	data        []byte
}

// tree is a mockup as loaded: its resources and static files.
type tree struct {
	res   map[string]map[string]any
	files map[string]staticFile
}

// defaultMockup returns the embedded public-rackmount1.
func defaultMockup() fs.FS {
	sub, err := fs.Sub(embedded, "mockup/public-rackmount1")
	if err != nil {
		panic(err) // the embedded tree is there
	}
	return sub
}

// loadTree reads every <dir>/index.json of fsys as the resource at
// /redfish/v1/<dir>, every other .json file as a static file at its
// path, and $metadata/index.xml as /redfish/v1/$metadata.
func loadTree(fsys fs.FS) (*tree, error) {
	t := &tree{res: map[string]map[string]any{}, files: map[string]staticFile{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		dir, name := path.Split(p)
		urlDir := strings.TrimSuffix(path.Join(root, dir), "/")
		switch {
		case name == "index.json":
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.UseNumber()
			var body map[string]any
			if err := dec.Decode(&body); err != nil {
				return fmt.Errorf("mockup %s: %w", p, err)
			}
			t.res[urlDir] = body
		case p == "$metadata/index.xml":
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			t.files[root+"/$metadata"] = staticFile{"application/xml", data}
		case strings.HasSuffix(name, ".json") && dir != "":
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			if !json.Valid(data) {
				return fmt.Errorf("mockup %s: not JSON", p)
			}
			t.files[path.Join(root, p)] = staticFile{"application/json", data}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if t.res[root] == nil {
		return nil, errors.New("mockup: no service root (index.json at the top)")
	}
	return t, nil
}

// template is the mockup's one system, its manager and its chassis: the
// subtrees AddSystem clones.
type template struct {
	system, manager, chassis string // their paths
	res                      map[string]map[string]any
}

// takeTemplate finds the mockup's single system, the manager that manages
// it and its chassis, and moves their subtrees out of t.res.
func takeTemplate(t *tree) (*template, error) {
	systems := memberIDs(t.res[root+"/Systems"])
	if len(systems) != 1 {
		return nil, fmt.Errorf("mockup: Systems has %d members, want one to clone", len(systems))
	}
	tp := &template{system: systems[0], res: map[string]map[string]any{}}
	sys := t.res[tp.system]
	if sys == nil {
		return nil, fmt.Errorf("mockup: no resource at %s", tp.system)
	}
	links, _ := sys["Links"].(map[string]any)
	tp.manager = firstLink(links, "ManagedBy")
	tp.chassis = firstLink(links, "Chassis")
	if tp.manager == "" || t.res[tp.manager] == nil {
		return nil, fmt.Errorf("mockup: system %s has no manager (Links.ManagedBy)", tp.system)
	}
	if tp.chassis == "" || t.res[tp.chassis] == nil {
		return nil, fmt.Errorf("mockup: system %s has no chassis (Links.Chassis)", tp.system)
	}
	for p, body := range t.res {
		for _, prefix := range []string{tp.system, tp.manager, tp.chassis} {
			if under(p, prefix) {
				tp.res[p] = body
				delete(t.res, p)
				break
			}
		}
	}
	for _, coll := range []string{"Systems", "Managers", "Chassis"} {
		c := t.res[root+"/"+coll]
		if c == nil {
			return nil, fmt.Errorf("mockup: no %s collection", coll)
		}
		var keep []any
		for _, id := range memberIDs(c) {
			if id != tp.system && id != tp.manager && id != tp.chassis {
				keep = append(keep, map[string]any{"@odata.id": id})
			}
		}
		setMembers(c, keep)
	}
	return tp, nil
}

// under reports whether p is prefix or below it.
func under(p, prefix string) bool {
	return p == prefix || strings.HasPrefix(p, prefix+"/")
}

// memberIDs returns the @odata.id of a collection's members.
func memberIDs(coll map[string]any) []string {
	members, _ := coll["Members"].([]any)
	var ids []string
	for _, m := range members {
		if mm, ok := m.(map[string]any); ok {
			if id, ok := mm["@odata.id"].(string); ok {
				ids = append(ids, strings.TrimSuffix(id, "/"))
			}
		}
	}
	return ids
}

// setMembers sets a collection's Members and their count.
func setMembers(coll map[string]any, members []any) {
	if members == nil {
		members = []any{}
	}
	coll["Members"] = members
	coll["Members@odata.count"] = len(members)
}

// firstLink returns the first @odata.id of links[name].
func firstLink(links map[string]any, name string) string {
	l, _ := links[name].([]any)
	if len(l) == 0 {
		return ""
	}
	m, _ := l[0].(map[string]any)
	id, _ := m["@odata.id"].(string)
	return strings.TrimSuffix(id, "/")
}

// rewriter replaces paths in strings, wherever they end a path segment:
// /redfish/v1/Chassis/1U becomes /redfish/v1/Chassis/web1 in
// "/redfish/v1/Chassis/1U/Thermal#/Fans/0" and in "Please migrate to use
// /redfish/v1/Chassis/1U/PowerSubsystem", not in "/redfish/v1/Chassis/1U2".
type rewriter [][2]string

func (r rewriter) str(s string) string {
	if !strings.Contains(s, root) {
		return s
	}
	for _, pair := range r {
		from, to := pair[0], pair[1]
		var b strings.Builder
		rest := s
		for {
			i := strings.Index(rest, from)
			if i < 0 {
				break
			}
			end := i + len(from)
			b.WriteString(rest[:i])
			if end == len(rest) || !isIDChar(rest[end]) {
				b.WriteString(to)
			} else {
				b.WriteString(from)
			}
			rest = rest[end:]
		}
		b.WriteString(rest)
		s = b.String()
	}
	return s
}

// isIDChar reports whether c may continue a path segment.
func isIDChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}

// clone deep-copies v with every string rewritten.
func (r rewriter) clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[k] = r.clone(x)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, x := range v {
			l[i] = r.clone(x)
		}
		return l
	case string:
		return r.str(v)
	}
	return v
}

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any { return rewriter(nil).clone(v) }
