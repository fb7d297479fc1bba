// Command record copies the part of a machine's root that hwdiscovery
// reads into a test tree: the files it read (text), a manifest of the
// symbolic links, directories and other entries it saw, and the lines
// of pci.ids that name the machine's PCI devices.
//
//	go run ./inventory/hwdiscovery/internal/record -o inventory/hwdiscovery/testdata/vm
//
// The tree is loaded back by the package's tests (loadTree): files
// under root/, and manifest.txt with one entry a line: "L path target"
// (a symbolic link), "D path" (a directory), "F path" (a file whose
// content discovery did not read, stored empty).
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/edgeflock/flock/inventory/hwdiscovery"
)

func main() {
	out := flag.String("o", "", "the test tree to write (its root/ and manifest.txt are replaced)")
	from := flag.String("root", "/", "the machine's root")
	flag.Parse()
	if *out == "" {
		log.Fatal("record: -o is required")
	}
	rec := &recorder{FS: os.DirFS(*from), files: map[string]bool{}, entries: map[string]string{}}
	facts, err := hwdiscovery.New(rec, nil).Discover(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	if err := rec.write(*out, facts); err != nil {
		log.Fatal(err)
	}
}

// recorder is an fs.FS that notes what is read through it.
type recorder struct {
	fs.FS
	mu      sync.Mutex
	files   map[string]bool   // read
	entries map[string]string // manifest lines by path
}

func (r *recorder) note(name string) {
	info, err := fs.Lstat(r.FS, name)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		if t, err := fs.ReadLink(r.FS, name); err == nil {
			r.entries[name] = "L " + name + " " + t
		}
	case info.IsDir():
		r.entries[name] = "D " + name
	default:
		if _, ok := r.entries[name]; !ok {
			r.entries[name] = "F " + name
		}
	}
}

func (r *recorder) ReadFile(name string) ([]byte, error) {
	b, err := fs.ReadFile(r.FS, name)
	if err == nil && !strings.HasSuffix(name, "pci.ids") {
		r.mu.Lock()
		r.files[name] = true
		delete(r.entries, name)
		r.mu.Unlock()
	}
	return b, err
}

func (r *recorder) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := fs.ReadDir(r.FS, name)
	if err == nil {
		r.note(name)
		for _, e := range ents {
			r.note(filepath.ToSlash(filepath.Join(name, e.Name())))
		}
	}
	return ents, err
}

func (r *recorder) Stat(name string) (fs.FileInfo, error) {
	info, err := fs.Stat(r.FS, name)
	if err == nil {
		r.note(name)
	}
	return info, err
}

func (r *recorder) ReadLink(name string) (string, error) {
	t, err := fs.ReadLink(r.FS, name)
	if err == nil {
		r.note(name)
	}
	return t, err
}

func (r *recorder) Lstat(name string) (fs.FileInfo, error) { return fs.Lstat(r.FS, name) }

func (r *recorder) write(out string, facts *hwdiscovery.Facts) error {
	root := filepath.Join(out, "root")
	if err := os.RemoveAll(root); err != nil {
		return err
	}
	for name := range r.files {
		b, err := fs.ReadFile(r.FS, name)
		if err != nil {
			return err
		}
		dst := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
	}
	if err := r.writePCIIDs(filepath.Join(root, "usr/share/misc/pci.ids"), facts); err != nil {
		return err
	}
	var lines []string
	for name, l := range r.entries {
		if !r.files[name] {
			lines = append(lines, l)
		}
	}
	sort.Strings(lines)
	return os.WriteFile(filepath.Join(out, "manifest.txt"), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// writePCIIDs keeps the lines of pci.ids that name the machine's
// devices: their vendors, devices, subsystems and classes.
func (r *recorder) writePCIIDs(dst string, facts *hwdiscovery.Facts) error {
	var src []byte
	var err error
	for _, p := range []string{"usr/share/misc/pci.ids", "usr/share/hwdata/pci.ids"} {
		if src, err = fs.ReadFile(r.FS, p); err == nil {
			break
		}
	}
	if err != nil {
		return nil // no database: the tree has none either
	}
	vendors, devices, subsys, classes := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, d := range facts.PCI {
		vendors[d.VendorID], vendors[d.SubVendorID] = true, true
		devices[d.VendorID+d.DeviceID] = true
		subsys[d.VendorID+d.DeviceID+d.SubVendorID+" "+d.SubDeviceID] = true
		if len(d.Class) == 6 {
			classes[d.Class[:2]], classes[d.Class[:4]] = true, true
		}
	}
	var b strings.Builder
	var vendor, device, class string
	sc := bufio.NewScanner(strings.NewReader(string(src)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		ln := sc.Text()
		switch {
		case ln == "" || ln[0] == '#':
		case strings.HasPrefix(ln, "C "):
			vendor, class = "", ln[2:4]
			if classes[class] {
				fmt.Fprintln(&b, ln)
			}
		case ln[0] != '\t':
			class, vendor, device = "", ln[:min(4, len(ln))], ""
			if vendors[vendor] {
				fmt.Fprintln(&b, ln)
			}
		case strings.HasPrefix(ln, "\t\t"):
			if vendor != "" && device != "" && subsys[vendor+device+ln[2:min(11, len(ln))]] {
				fmt.Fprintln(&b, ln)
			}
		default:
			if class != "" && len(ln) >= 3 && classes[class+ln[1:3]] {
				fmt.Fprintln(&b, ln)
			}
			if vendor != "" && len(ln) >= 5 {
				device = ln[1:5]
				if devices[vendor+device] {
					if !vendors[vendor] {
						continue
					}
					fmt.Fprintln(&b, ln)
				}
			}
		}
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, []byte(b.String()), 0o644)
}
