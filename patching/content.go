package patching

import (
	"archive/tar"
	"fmt"
	"path"
	"strings"
)

// MaxContentEntries bounds the number of entries of a content tree.
const MaxContentEntries = 100_000

// maxPathLen bounds an entry's name and a symlink's target.
const maxPathLen = 4096

type nodeKind uint8

const (
	kindImplicitDir nodeKind = iota + 1 // a parent of an entry, not an entry yet
	kindDir
	kindFile
	kindSymlink
)

// treeChecker checks the entries of a content tree one by one, in
// archive order. The rules, which make extraction under a root safe
// with no further check:
//   - names are relative, clean ("a/b", a directory may end in "/"), of
//     printable characters, with no "." or ".." component;
//   - entries are regular files, directories or symlinks: hard links,
//     devices, fifos and the rest are refused;
//   - an entry appears once, and no entry has a file or a symlink among
//     its parents (nothing is written through a symlink);
//   - a symlink's target is relative and clean, ".." appears only as its
//     leading components, and it resolves inside the tree.
type treeChecker struct {
	seen map[string]nodeKind
	n    int
}

func newTreeChecker() *treeChecker { return &treeChecker{seen: map[string]nodeKind{}} }

func contentEntry(name string) string { return memberContent + ":" + name }

// check returns an *EntryError naming the entry when hdr breaks a rule.
func (c *treeChecker) check(hdr *tar.Header) error {
	c.n++
	if c.n > MaxContentEntries {
		return badEntry(contentEntry(hdr.Name), "more than %d entries", MaxContentEntries)
	}
	raw := hdr.Name
	var kind nodeKind
	switch hdr.Typeflag {
	case tar.TypeReg:
		kind = kindFile
	case tar.TypeDir:
		kind = kindDir
	case tar.TypeSymlink:
		kind = kindSymlink
	case tar.TypeLink:
		return badEntry(contentEntry(raw), "hard links are not allowed")
	case tar.TypeChar, tar.TypeBlock:
		return badEntry(contentEntry(raw), "device files are not allowed")
	case tar.TypeFifo:
		return badEntry(contentEntry(raw), "fifos are not allowed")
	default:
		return badEntry(contentEntry(raw), "entry type %q is not allowed (only files, directories and symlinks)", hdr.Typeflag)
	}
	name := raw
	if kind == kindDir {
		name = strings.TrimSuffix(raw, "/")
	}
	if err := checkRelPath(name); err != nil {
		return badEntry(contentEntry(raw), "%s", err)
	}
	if hdr.Mode&^0o7777 != 0 || hdr.Mode < 0 {
		return badEntry(contentEntry(raw), "mode %o has bits beyond the permissions", hdr.Mode)
	}
	if kind != kindFile && hdr.Size != 0 {
		return badEntry(contentEntry(raw), "a directory or symlink with a size")
	}
	if kind == kindSymlink {
		if err := checkLinkTarget(name, hdr.Linkname); err != nil {
			return badEntry(contentEntry(raw), "%s", err)
		}
	} else if hdr.Linkname != "" {
		return badEntry(contentEntry(raw), "a link name on a file or directory")
	}
	// Parents: directories only.
	for i := 0; i < len(name); i++ {
		if name[i] != '/' {
			continue
		}
		p := name[:i]
		switch c.seen[p] {
		case kindFile, kindSymlink:
			return badEntry(contentEntry(raw), "parent %q is not a directory", p)
		case 0:
			c.seen[p] = kindImplicitDir
		}
	}
	switch prev := c.seen[name]; {
	case prev == 0:
	case prev == kindImplicitDir && kind == kindDir:
	case prev == kindImplicitDir:
		return badEntry(contentEntry(raw), "is a directory of earlier entries")
	default:
		return badEntry(contentEntry(raw), "duplicate entry")
	}
	c.seen[name] = kind
	return nil
}

// checkRelPath checks an entry name (without a directory's trailing
// slash).
func checkRelPath(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("empty name")
	case len(name) > maxPathLen:
		return fmt.Errorf("name longer than %d bytes", maxPathLen)
	case strings.HasPrefix(name, "/"):
		return fmt.Errorf("absolute path")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return fmt.Errorf("control character or backslash in name")
		}
	}
	for _, comp := range strings.Split(name, "/") {
		if comp == ".." {
			return fmt.Errorf("path leaves the tree (..)")
		}
	}
	if path.Clean(name) != name || name == "." {
		return fmt.Errorf("not a clean relative path (., // or trailing /)")
	}
	return nil
}

// checkLinkTarget checks a symlink at name pointing to target.
func checkLinkTarget(name, target string) error {
	switch {
	case target == "":
		return fmt.Errorf("symlink with an empty target")
	case len(target) > maxPathLen:
		return fmt.Errorf("symlink target longer than %d bytes", maxPathLen)
	case strings.HasPrefix(target, "/"):
		return fmt.Errorf("symlink to an absolute path %q", target)
	case strings.ContainsRune(target, 0):
		return fmt.Errorf("NUL in symlink target")
	case path.Clean(target) != target:
		return fmt.Errorf("symlink target %q is not a clean path", target)
	}
	up := true
	for _, comp := range strings.Split(target, "/") {
		if comp != ".." {
			up = false
		} else if !up {
			return fmt.Errorf("symlink target %q has .. after a name", target)
		}
	}
	if r := path.Join(path.Dir(name), target); r == ".." || strings.HasPrefix(r, "../") {
		return fmt.Errorf("symlink target %q leaves the tree", target)
	}
	return nil
}
