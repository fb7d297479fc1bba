//go:build ceph

package cephtestenv_test

import (
	"encoding/json"
	"testing"

	"github.com/ceph/go-ceph/rados"
	"github.com/ceph/go-ceph/rbd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/engines/ceph/cephtestenv"
)

// TestCeph: a pool, an object written and read back, osd tree and status
// as JSON, an RBD image, with go-ceph (librados, librbd).
func TestCeph(t *testing.T) {
	c := cephtestenv.Start(t)
	conn, err := rados.NewConn()
	require.NoError(t, err)
	require.NoError(t, conn.ReadConfigFile(c.Conf))
	require.NoError(t, conn.Connect())
	defer conn.Shutdown()

	require.NoError(t, conn.MakePool("smoke"))
	io, err := conn.OpenIOContext("smoke")
	require.NoError(t, err)
	defer io.Destroy()
	require.NoError(t, io.WriteFull("greeting", []byte("hello ceph")))
	buf := make([]byte, 64)
	n, err := io.Read("greeting", buf, 0)
	require.NoError(t, err)
	assert.Equal(t, "hello ceph", string(buf[:n]))

	mon := func(cmd string) []byte {
		out, info, err := conn.MonCommand([]byte(`{"prefix":"` + cmd + `","format":"json"}`))
		require.NoError(t, err, info)
		return out
	}
	var tree struct {
		Nodes []struct {
			Name   string `json:"name"`
			Type   string `json:"type"`
			Status string `json:"status"`
		} `json:"nodes"`
	}
	require.NoError(t, json.Unmarshal(mon("osd tree"), &tree))
	var osdUp bool
	for _, n := range tree.Nodes {
		if n.Name == "osd.0" && n.Type == "osd" && n.Status == "up" {
			osdUp = true
		}
	}
	assert.True(t, osdUp, "osd.0 up in %+v", tree.Nodes)
	var status struct {
		FSID   string `json:"fsid"`
		OSDMap struct {
			NumUp int `json:"num_up_osds"`
		} `json:"osdmap"`
	}
	require.NoError(t, json.Unmarshal(mon("status"), &status))
	assert.Equal(t, c.FSID, status.FSID)
	assert.Equal(t, 1, status.OSDMap.NumUp)

	require.NoError(t, conn.MakePool("rbd"))
	rio, err := conn.OpenIOContext("rbd")
	require.NoError(t, err)
	defer rio.Destroy()
	require.NoError(t, rbd.CreateImage(rio, "disk0", 64<<20, rbd.NewRbdImageOptions()))
	img, err := rbd.OpenImage(rio, "disk0", rbd.NoSnapshot)
	require.NoError(t, err)
	defer img.Close()
	size, err := img.GetSize()
	require.NoError(t, err)
	assert.Equal(t, uint64(64<<20), size)
	_, err = img.WriteAt([]byte("boot"), 4096)
	require.NoError(t, err)
	got := make([]byte, 4)
	_, err = img.ReadAt(got, 4096)
	require.NoError(t, err)
	assert.Equal(t, "boot", string(got))
	names, err := rbd.GetImageNames(rio)
	require.NoError(t, err)
	assert.Equal(t, []string{"disk0"}, names)
}
