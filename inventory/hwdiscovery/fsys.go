package hwdiscovery

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

// maxLinks bounds the symbolic links followed while resolving one path,
// as the kernel's ELOOP does.
const maxLinks = 40

// tree reads one discovery's files through the root. It resolves
// symbolic links itself, relative to the root (an absolute target
// starts again at the root), because fs.FS implementations do not
// follow absolute links and recorded trees keep links in a manifest.
// Resolved directories are cached for the one discovery it serves.
type tree struct {
	fsys     fs.FS
	readLink func(string) (string, error)
	resolved map[string]string
}

func newTree(fsys fs.FS) *tree {
	t := &tree{fsys: fsys, resolved: map[string]string{"": ""}}
	if rl, ok := fsys.(fs.ReadLinkFS); ok {
		t.readLink = rl.ReadLink
	}
	return t
}

// resolve returns name with every symbolic link resolved, as a path
// valid for the root fs.FS. name is slash-separated, without a leading
// slash.
func (t *tree) resolve(name string) (string, error) {
	return t.resolveN(path.Clean(strings.TrimPrefix(name, "/")), 0)
}

func (t *tree) resolveN(name string, depth int) (string, error) {
	if name == "." || name == "" {
		return "", nil
	}
	if r, ok := t.resolved[name]; ok {
		return r, nil
	}
	dir, base := path.Split(name)
	dir = strings.TrimSuffix(dir, "/")
	rdir, err := t.resolveN(dir, depth)
	if err != nil {
		return "", err
	}
	var full string
	switch {
	case base == "..":
		full = parentOf(rdir)
	case rdir == "":
		full = base
	default:
		full = rdir + "/" + base
	}
	if t.readLink != nil {
		if target, err := t.readLink(full); err == nil {
			if depth >= maxLinks {
				return "", &fs.PathError{Op: "resolve", Path: name, Err: errors.New("too many levels of symbolic links")}
			}
			var next string
			if strings.HasPrefix(target, "/") {
				next = path.Clean(strings.TrimPrefix(target, "/"))
			} else {
				next = joinLexical(parentOf(full), target)
			}
			r, err := t.resolveN(next, depth+1)
			if err != nil {
				return "", err
			}
			full = r
		}
	}
	t.resolved[name] = full
	return full, nil
}

// joinLexical joins a resolved directory and a relative link target,
// keeping ".." components that climb above dir's resolved parents for
// resolveN (which treats ".." after resolving its directory).
func joinLexical(dir, target string) string {
	parts := strings.Split(dir, "/")
	if dir == "" {
		parts = nil
	}
	for _, p := range strings.Split(target, "/") {
		switch p {
		case "", ".":
		case "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, p)
		}
	}
	return path.Clean(strings.Join(parts, "/"))
}

func parentOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

// read returns a file's content.
func (t *tree) read(name string) (string, error) {
	r, err := t.resolve(name)
	if err != nil {
		return "", err
	}
	b, err := fs.ReadFile(t.fsys, orDot(r))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// line returns a file's content without surrounding white space.
func (t *tree) line(name string) (string, error) {
	s, err := t.read(name)
	return strings.TrimSpace(s), err
}

// has tells whether name exists.
func (t *tree) has(name string) bool {
	r, err := t.resolve(name)
	if err != nil {
		return false
	}
	_, err = fs.Stat(t.fsys, orDot(r))
	return err == nil
}

// list returns the names in a directory, sorted.
func (t *tree) list(name string) ([]string, error) {
	r, err := t.resolve(name)
	if err != nil {
		return nil, err
	}
	ents, err := fs.ReadDir(t.fsys, orDot(r))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, nil
}

// link returns where a symbolic link points, resolved against the root.
func (t *tree) link(name string) (string, error) {
	return t.resolve(name)
}

func orDot(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// reason turns a read error into the reason an Unknown entry gives:
// stable across fs.FS implementations (a recorded tree and the live
// root say the same thing).
func reason(name string, err error) string {
	name = "/" + strings.TrimPrefix(name, "/")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return name + ": missing"
	case errors.Is(err, fs.ErrPermission):
		return name + ": permission denied"
	default:
		return name + ": " + err.Error()
	}
}
