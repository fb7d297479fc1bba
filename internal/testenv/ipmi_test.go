package testenv_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bougou/go-ipmi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/edgeflock/flock/internal/testenv"
)

// TestBMC: power off and on with go-ipmi (IPMI 1.5 LAN, md5) and see the
// chassis state change, read the temperature sensor; the same with
// ipmitool over RMCP+.
func TestBMC(t *testing.T) {
	bmc := testenv.StartBMC(t)
	ctx := t.Context()
	c, err := ipmi.NewClient(bmc.Host, bmc.Port, bmc.User, bmc.Password)
	require.NoError(t, err)
	c.WithInterface(ipmi.InterfaceLan).WithTimeout(2 * time.Second)
	require.NoError(t, c.Connect(ctx))
	defer c.Close(ctx)

	power := func() string {
		b, err := os.ReadFile(bmc.PowerFile)
		require.NoError(t, err)
		return strings.TrimSpace(string(b))
	}
	st, err := c.GetChassisStatus(ctx)
	require.NoError(t, err)
	assert.True(t, st.PowerIsOn)

	_, err = c.ChassisControl(ctx, ipmi.ChassisControlPowerDown)
	require.NoError(t, err)
	assert.Equal(t, "0", power(), "the chassis control program was told to power off")
	st, err = c.GetChassisStatus(ctx)
	require.NoError(t, err)
	assert.False(t, st.PowerIsOn)

	_, err = c.ChassisControl(ctx, ipmi.ChassisControlPowerUp)
	require.NoError(t, err)
	assert.Equal(t, "1", power())
	st, err = c.GetChassisStatus(ctx)
	require.NoError(t, err)
	assert.True(t, st.PowerIsOn)

	s, err := c.GetSensorByName(ctx, bmc.SensorName)
	require.NoError(t, err)
	assert.InDelta(t, float64(bmc.SensorCelsius), s.Value, 0.01)

	out, err := bmc.Ipmitool("chassis", "power", "off").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, "0", power())
	out, err = bmc.Ipmitool("chassis", "power", "status").CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "Chassis Power is off")
	out, err = bmc.Ipmitool("sdr", "get", bmc.SensorName).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "Sensor Reading        : 45 (+/- 0) degrees C")
}
