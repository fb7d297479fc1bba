package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BMC is a running OpenIPMI ipmi_sim: an IPMI BMC on a LAN channel, with a
// chassis whose power state really changes (kept in PowerFile) and one
// temperature sensor.
type BMC struct {
	Host     string // 127.0.0.1
	Port     int    // UDP (RMCP, RMCP+)
	User     string // administrator, md5 for IPMI 1.5, and RMCP+
	Password string
	// PowerFile holds "0" or "1": the chassis power as the BMC's chassis
	// control program keeps it.
	PowerFile string
	// SensorName and SensorCelsius are the temperature sensor's SDR id
	// string and reading.
	SensorName    string
	SensorCelsius int
}

const ipmiInstall = "apt-get install -y openipmi ipmitool"

// chassisControl is the program ipmi_sim calls for chassis control:
// "<prog> 0x20 get power" must print power:N, "<prog> 0x20 set power N"
// changes it. The state is a file, so tests can watch it.
const chassisControl = `#!/bin/sh
state=%q
[ -f "$state" ] || echo 1 > "$state"
case "$2 $3" in
  "get power") echo "power:$(cat "$state")" ;;
  "set power") echo "$4" > "$state" ;;
esac
exit 0
`

// StartBMC starts ipmi_sim with the project's own configuration and
// returns it answering on the LAN.
func StartBMC(t testing.TB) *BMC {
	t.Helper()
	bin := LookPath(t, "OpenIPMI ipmi_sim", ipmiInstall, "ipmi_sim")
	dir := t.TempDir()
	b := &BMC{Host: "127.0.0.1", Port: FreeUDPPort(t), User: "admin", Password: randomToken(t)[:16],
		PowerFile: filepath.Join(dir, "power"), SensorName: "CPU Temp", SensorCelsius: 45}
	if err := os.WriteFile(b.PowerFile, []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "chassis-control")
	if err := os.WriteFile(script, fmt.Appendf(nil, chassisControl, b.PowerFile), 0o700); err != nil {
		t.Fatal(err)
	}
	lan := fmt.Sprintf(`name "flock"
set_working_mc 0x20
startlan 1
  addr %s %d
  priv_limit admin
  allowed_auths_callback md5
  allowed_auths_user md5
  allowed_auths_operator md5
  allowed_auths_admin md5
  guid %s
endlan
chassis_control "%s 0x20"
user 2 true "%s" "%s" admin 10 md5
`, b.Host, b.Port, randomToken(t)[:32], script, b.User, b.Password)
	emu := "mc_setbmc 0x20\n" +
		"mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\n" +
		"sel_enable 0x20 1000 0x0a\n" +
		"sensor_add 0x20 0 1 0x01 0x01\n" +
		"main_sdr_add 0x20 " + hexBytes(tempSDR(1, b.SensorName)) + "\n" +
		fmt.Sprintf("sensor_set_value 0x20 0 1 0x%02x 0\n", b.SensorCelsius) +
		// Scanning on (a reading is available), events off.
		"sensor_set_event_support 0x20 0 1 disable scanning per-state " +
		"000000000000000 000000000000000 000000000000000 000000000000000\n" +
		"mc_enable 0x20\n"
	conf, emuFile, state := filepath.Join(dir, "lan.conf"), filepath.Join(dir, "bmc.emu"), filepath.Join(dir, "state")
	for path, body := range map[string]string{conf: lan, emuFile: emu} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	p, err := Start(t, "ipmi_sim", nil, bin, "-c", conf, "-f", emuFile, "-s", state, "-n")
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	err = WaitFor(p, 30*time.Second, func() error { return b.ping() })
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return b
}

// Ipmitool returns an ipmitool command (RMCP+, lanplus) against the BMC.
func (b *BMC) Ipmitool(args ...string) *exec.Cmd {
	base := []string{"-I", "lanplus", "-C", "3", "-N", "1", "-R", "3", "-H", b.Host, "-p", strconv.Itoa(b.Port), "-U", b.User, "-P", b.Password}
	return exec.Command("ipmitool", append(base, args...)...)
}

// ping sends an RMCP ASF presence ping and waits for the pong: the LAN
// channel is up.
func (b *BMC) ping() error {
	c, err := net.Dial("udp", net.JoinHostPort(b.Host, strconv.Itoa(b.Port)))
	if err != nil {
		return err
	}
	defer c.Close()
	// RMCP header (version 6, reserved, sequence 0xff, class ASF) and an
	// ASF Presence Ping (IANA 4542, type 0x80, tag, reserved, length 0).
	ping := []byte{0x06, 0x00, 0xff, 0x06, 0x00, 0x00, 0x11, 0xbe, 0x80, 0x01, 0x00, 0x00}
	if _, err := c.Write(ping); err != nil {
		return err
	}
	_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil {
		return fmt.Errorf("rmcp ping: %w", err)
	}
	if n < 9 || buf[8] != 0x40 {
		return fmt.Errorf("rmcp ping: unexpected answer % x", buf[:n])
	}
	return nil
}

// tempSDR builds a Full Sensor Record (IPMI 2.0 section 43.1) for a
// threshold temperature sensor on the BMC (owner 0x20, LUN 0): reading =
// raw value in degrees C (M = 1, B = 0), thresholds at 70/90/100.
func tempSDR(sensor byte, name string) []byte {
	body := []byte{
		0x20, 0x00, sensor, // key: owner, LUN, number
		0x03, 0x01, // entity: processor, instance 1
		0x7f, 0x68, // initialization, capabilities
		0x01, 0x01, // sensor type temperature, event/reading type threshold
		0x00, 0x00, 0x00, 0x00, // assertion / deassertion event masks
		0x38, 0x38, // settable / readable threshold masks (upper three)
		0x00, 0x01, 0x00, // units: unsigned; degrees C; no modifier
		0x00,       // linear
		0x01, 0x00, // M = 1
		0x00, 0x00, // B = 0
		0x00, 0x00, // accuracy, direction; exponents
		0x00,             // analog flags
		0x28, 0x46, 0x0a, // nominal 40, normal max 70, normal min 10
		0xff, 0x00, // sensor max, min
		0x64, 0x5a, 0x46, // upper non-recoverable 100, critical 90, non-critical 70
		0x00, 0x00, 0x00, // lower thresholds
		0x02, 0x02, // hysteresis
		0x00, 0x00, 0x00, // reserved, OEM
		0xc0 | byte(len(name)), // 8-bit ASCII id string
	}
	body = append(body, name...)
	return append([]byte{0x00, 0x00, 0x51, 0x01, byte(len(body))}, body...)
}

// hexBytes writes b as ipmi_sim command arguments: every byte with a 0x
// prefix (a bare decimal byte makes ipmi_sim reject the whole file).
func hexBytes(b []byte) string {
	s := make([]string, len(b))
	for i, c := range b {
		s[i] = fmt.Sprintf("0x%02x", c)
	}
	return strings.Join(s, " ")
}

func randomToken(t testing.TB) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
