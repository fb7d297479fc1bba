package testenv

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// PythonClient describes a StarlingX Python client to install unchanged
// into a venv: its source directory (holding setup.py), the modules its
// Debian run-time dependencies provide (probed before installing), and
// stub modules for StarlingX utilities it imports but the tests do not
// use (path under site-packages → content).
type PythonClient struct {
	Name    string // for messages, e.g. "StarlingX's fm client"
	Source  string
	Imports []string
	Stubs   map[string]string
	Install string // how to get the dependencies, for Missing
}

// Python returns the python of a venv holding the client, built with
// Debian's /usr/bin/python3 and its packages (--system-site-packages) and
// kept in the user's cache, keyed by the source's content, so it is built
// once. Run the client as "python -m <module>": the venv is renamed into
// place, so its scripts' #! lines would be wrong.
func (pc PythonClient) Python(t testing.TB) string {
	t.Helper()
	const python = "/usr/bin/python3"
	probe := exec.Command(python, "-c", "import venv, pip, "+strings.Join(pc.Imports, ", "))
	if out, err := probe.CombinedOutput(); err != nil {
		Missing(t, "python3 with "+pc.Name+"'s Debian packages", pc.Install, fmt.Errorf("%v: %s", err, out))
	}
	if _, err := os.Stat(filepath.Join(pc.Source, "setup.py")); err != nil {
		Missing(t, pc.Name+"'s source", pc.Install, err)
	}
	h := sha256.New()
	require.NoError(t, filepath.WalkDir(pc.Source, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(pc.Source, p)
		fmt.Fprintf(h, "%s %d\n", rel, len(data))
		h.Write(data)
		return nil
	}))
	for _, k := range slices.Sorted(maps.Keys(pc.Stubs)) {
		fmt.Fprintf(h, "stub %s %q\n", k, pc.Stubs[k])
	}
	cache, err := os.UserCacheDir()
	require.NoError(t, err)
	venv := filepath.Join(cache, "flock-test", filepath.Base(pc.Source)+"-"+hex.EncodeToString(h.Sum(nil))[:16])
	py := filepath.Join(venv, "bin", "python")
	if _, err := os.Stat(filepath.Join(venv, "ready")); err == nil {
		return py
	}
	// Built beside its final place and renamed, so a run that stops half
	// way leaves nothing that looks ready. The venv's python is a link to
	// /usr/bin/python3 and finds its packages from pyvenv.cfg, so it
	// works after the rename.
	require.NoError(t, os.MkdirAll(filepath.Dir(venv), 0o755))
	build, err := os.MkdirTemp(filepath.Dir(venv), "build-")
	require.NoError(t, err)
	defer os.RemoveAll(build)
	run := func(env []string, name string, args ...string) {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), out)
	}
	// pip writes build files into the source directory: install from a copy.
	run(nil, "cp", "-r", pc.Source, filepath.Join(build, "src"))
	run(nil, python, "-m", "venv", "--system-site-packages", filepath.Join(build, "venv"))
	run([]string{"PBR_VERSION=1.0.0"}, filepath.Join(build, "venv", "bin", "pip"), "install", "--quiet", "--no-deps",
		"--no-build-isolation", "--no-index", filepath.Join(build, "src"))
	site, err := filepath.Glob(filepath.Join(build, "venv", "lib", "python3*", "site-packages"))
	require.NoError(t, err)
	require.Len(t, site, 1)
	for name, text := range pc.Stubs {
		p := filepath.Join(site[0], name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(build, "venv", "ready"), nil, 0o644))
	if err := os.Rename(filepath.Join(build, "venv"), venv); err != nil {
		_, serr := os.Stat(filepath.Join(venv, "ready"))
		require.NoError(t, serr, "another run built it: %v", err)
	}
	return py
}

// Table parses the first prettytable in a StarlingX client's output into
// rows, each a map from column header to cell. A line whose first cell
// is empty continues the row above (a wrapped cell); its cells are joined
// to that row's.
func Table(t testing.TB, out string) []map[string]string {
	t.Helper()
	var header []string
	var rows [][]string
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if header == nil {
			header = cells
			continue
		}
		require.Len(t, cells, len(header), "row %q", line)
		if len(rows) > 0 && cells[0] == "" {
			last := rows[len(rows)-1]
			for i, c := range cells {
				if c != "" {
					last[i] = strings.TrimSpace(last[i] + " " + c)
				}
			}
			continue
		}
		rows = append(rows, cells)
	}
	var out2 []map[string]string
	for _, r := range rows {
		m := map[string]string{}
		for i, h := range header {
			m[h] = r[i]
		}
		out2 = append(out2, m)
	}
	return out2
}
