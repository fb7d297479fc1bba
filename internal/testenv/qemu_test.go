package testenv_test

import (
	"bufio"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
)

// TestStartQEMU: both QMP sockets greet, and the firmware log shows
// SeaBIOS's boot order with the three boot devices, disk first.
func TestStartQEMU(t *testing.T) {
	vm := testenv.StartQEMU(t, nil)
	for _, sock := range []string{vm.QMP, vm.Watch} {
		c, err := net.Dial("unix", sock)
		require.NoError(t, err)
		require.NoError(t, c.SetDeadline(time.Now().Add(10*time.Second)))
		greeting, err := bufio.NewReader(c).ReadString('\n')
		require.NoError(t, err)
		assert.Contains(t, greeting, `"QMP"`)
		require.NoError(t, c.Close())
	}
	var log string
	require.Eventually(t, func() bool {
		data, _ := os.ReadFile(vm.FirmwareLog)
		log = string(data)
		return strings.Contains(log, "Booting from")
	}, 30*time.Second, 20*time.Millisecond)
	i := strings.Index(log, "boot order:")
	require.GreaterOrEqual(t, i, 0)
	order := strings.SplitN(log[i:], "\n", 5)
	assert.Contains(t, order[1], "1: /pci@i0cf8/ide@1,1/drive@1/disk@0")
	assert.Contains(t, order[2], "2: /pci@i0cf8/ide@1,1/drive@1/disk@1")
	assert.Contains(t, order[3], "3: /pci@i0cf8/ethernet@2/ethernet-phy@0")
}
