package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
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
	// Sensors are all of the BMC's analog threshold sensors (the
	// temperature sensor first) with the readings and statuses that a
	// correct SDR conversion gives.
	Sensors []SimSensor
}

// SimSensor is one sensor of the simulated BMC as it should read.
type SimSensor struct {
	Name   string
	Kind   string  // temperature, fan, voltage, power
	Value  float64 // in Units
	Units  string  // degrees C, RPM, volts, watts
	Status string  // ok, warning (past a non-critical threshold), critical
	// Lower and upper non-critical and critical thresholds in Units; nil
	// means none.
	LNC, LCR, UNC, UCR *float64
}

const ipmiInstall = "apt-get install -y openipmi ipmitool"

// chassisControl is the program ipmi_sim calls for chassis control:
// "<prog> 0x20 get power" must print power:N, "<prog> 0x20 set power N"
// changes it. The state is a file, so tests can watch it.
// "get boot" and "set boot X" (none, pxe, default, cdrom, bios) keep the
// next boot device; "set reset 1" (a hard reset) counts in a file;
// "set shutdown 1" (ACPI soft-off) is handled as a guest OS would: the
// host powers off. A power cycle is ipmi_sim's own: power 0, then 1 a
// second later.
const chassisControl = `#!/bin/sh
state=%q
[ -f "$state" ] || echo 1 > "$state"
case "$2 $3" in
  "get power") echo "power:$(cat "$state")" ;;
  "get boot") echo "boot:$(cat "$state.boot" 2>/dev/null || echo none)" ;;
  "set power") echo "$4" > "$state" ;;
  "set boot") echo "$4" > "$state.boot" ;;
  "set reset") echo x >> "$state.resets" ;;
  "set shutdown") echo 0 > "$state" ;;
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
	b.Sensors = simSensors(b.SensorName, b.SensorCelsius)
	emu := "mc_setbmc 0x20\n" +
		"mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\n" +
		"sel_enable 0x20 1000 0x0a\n"
	for _, s := range simSDRs {
		emu += s.emu(b.SensorName, b.SensorCelsius)
	}
	emu += "mc_enable 0x20\n"
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

// simSDR is one analog threshold sensor of the simulated BMC: raw
// values and the conversion factors of its Full Sensor Record (IPMI 2.0
// section 43.1), value = (M*raw + B*10^Bexp) * 10^Rexp.
type simSDR struct {
	number, sensorType, entity, unit byte
	m, b                             int
	rexp, bexp                       int8
	raw                              byte
	// Thresholds, raw; has says which are there (bit 0 LNC, 1 LCR, 2
	// LNR, 3 UNC, 4 UCR, 5 UNR).
	lnc, lcr, lnr, unc, ucr, unr byte
	has                          byte
	name, kind, units, status    string
}

// simSDRs are the sensors StartBMC puts on its BMC. The first is the
// temperature sensor of BMC.SensorName and BMC.SensorCelsius.
var simSDRs = []simSDR{
	{number: 1, sensorType: 0x01, entity: 0x03, unit: 1, m: 1, unr: 100, ucr: 90, unc: 70, has: 0x38,
		kind: "temperature", units: "degrees C", status: "ok"},
	// 100 RPM a count: 5400 RPM; lower limits 1000 (caution) and 500.
	{number: 2, sensorType: 0x04, entity: 0x1d, unit: 18, m: 100, raw: 54, lnc: 10, lcr: 5, has: 0x03,
		name: "Fan 1", kind: "fan", units: "RPM", status: "ok"},
	// 0.07 V a count: 11.97 V within 10.78-13.23 (caution) and 10.22-13.79.
	{number: 3, sensorType: 0x02, entity: 0x07, unit: 4, m: 7, rexp: -2, raw: 171, lnc: 154, lcr: 146, unc: 189, ucr: 197, has: 0x1b,
		name: "12V", kind: "voltage", units: "volts", status: "ok"},
	// 0.03 V a count: 4.5 V is under the lower caution limit 4.65.
	{number: 4, sensorType: 0x02, entity: 0x07, unit: 4, m: 3, rexp: -2, raw: 150, lnc: 155, lcr: 140, unc: 183, ucr: 190, has: 0x1b,
		name: "5V", kind: "voltage", units: "volts", status: "warning"},
	// 4 W a count plus 20 W (B = 2, Bexp = 1): 260 W, critical at 820 W.
	{number: 5, sensorType: 0x08, entity: 0x0a, unit: 6, m: 4, b: 2, bexp: 1, raw: 60, ucr: 200, has: 0x10,
		name: "PSU1 Power", kind: "power", units: "watts", status: "ok"},
}

func (s simSDR) value(raw byte) float64 {
	v := (float64(s.m)*float64(raw) + float64(s.b)*math.Pow(10, float64(s.bexp))) * math.Pow(10, float64(s.rexp))
	return math.Round(v*1e6) / 1e6
}

func simSensors(tempName string, celsius int) []SimSensor {
	var out []SimSensor
	for i, s := range simSDRs {
		if i == 0 {
			s.name, s.raw = tempName, byte(celsius)
		}
		th := func(bit uint, raw byte) *float64 {
			if s.has&(1<<bit) == 0 {
				return nil
			}
			v := s.value(raw)
			return &v
		}
		out = append(out, SimSensor{Name: s.name, Kind: s.kind, Value: s.value(s.raw), Units: s.units, Status: s.status,
			LNC: th(0, s.lnc), LCR: th(1, s.lcr), UNC: th(3, s.unc), UCR: th(4, s.ucr)})
	}
	return out
}

// emu returns the ipmi_sim commands that add the sensor: its SDR, its
// thresholds, its reading, scanning on and events off.
func (s simSDR) emu(tempName string, celsius int) string {
	if s.number == 1 {
		s.name, s.raw = tempName, byte(celsius)
	}
	return fmt.Sprintf("sensor_add 0x20 0 %d 0x%02x 0x01\n", s.number, s.sensorType) +
		"main_sdr_add 0x20 " + hexBytes(s.sdr()) + "\n" +
		fmt.Sprintf("sensor_set_threshold 0x20 0 %d settable %06b 0x%02x 0x%02x 0x%02x 0x%02x 0x%02x 0x%02x\n",
			s.number, s.has, s.unr, s.ucr, s.unc, s.lnr, s.lcr, s.lnc) +
		fmt.Sprintf("sensor_set_value 0x20 0 %d 0x%02x 0\n", s.number, s.raw) +
		fmt.Sprintf("sensor_set_event_support 0x20 0 %d disable scanning per-state ", s.number) +
		"000000000000000 000000000000000 000000000000000 000000000000000\n"
}

// sdr builds the sensor's Full Sensor Record (IPMI 2.0 section 43.1):
// owner the BMC (0x20, LUN 0), threshold event/reading type, unsigned
// linear readings.
func (s simSDR) sdr() []byte {
	m, b := uint16(s.m)&0x3ff, uint16(s.b)&0x3ff
	body := []byte{
		0x20, 0x00, s.number, // key: owner, LUN, number
		s.entity, 0x01, // entity, instance 1
		0x7f, 0x68, // initialization; capabilities: auto re-arm, hysteresis and thresholds readable and settable
		s.sensorType, 0x01, // sensor type, event/reading type threshold
		0x00, byte(s.has&0x07) << 4, // assertion mask; lower threshold comparisons returned
		0x00, byte(s.has>>3) << 4, // deassertion mask; upper threshold comparisons returned
		s.has, s.has, // readable / settable threshold masks
		0x00, s.unit, 0x00, // units: unsigned, no rate or modifier; base unit; no modifier unit
		0x00,                     // linear
		byte(m), byte(m>>8) << 6, // M, tolerance 0
		byte(b), byte(b>>8) << 6, // B, accuracy 0
		0x00,                                     // accuracy, direction
		byte(s.rexp&0x0f)<<4 | byte(s.bexp&0x0f), // R and B exponents
		0x00,                                     // analog flags: no nominal or normal values
		0x00, 0x00, 0x00,                         // nominal, normal max, normal min
		0xff, 0x00, // sensor max, min
		s.unr, s.ucr, s.unc, // upper thresholds
		s.lnr, s.lcr, s.lnc, // lower thresholds
		0x02, 0x02, // hysteresis
		0x00, 0x00, 0x00, // reserved, OEM
		0xc0 | byte(len(s.name)), // 8-bit ASCII id string
	}
	body = append(body, s.name...)
	return append([]byte{0x00, 0x00, 0x51, 0x01, byte(len(body))}, body...)
}

// NextBoot returns the device the host boots from next, as ipmi_sim
// told the chassis control program: "pxe", "default" (the disk),
// "cdrom", "bios", or "none" (no override).
func (b *BMC) NextBoot() string {
	d, err := os.ReadFile(b.PowerFile + ".boot")
	if err != nil {
		return "none"
	}
	return strings.TrimSpace(string(d))
}

// Resets returns how many hard resets the chassis has had.
func (b *BMC) Resets() int {
	d, _ := os.ReadFile(b.PowerFile + ".resets")
	return strings.Count(string(d), "x")
}

// Power returns "1" (on) or "0" (off): the chassis power.
func (b *BMC) Power() string {
	d, _ := os.ReadFile(b.PowerFile)
	return strings.TrimSpace(string(d))
}

// SetPower sets the chassis power behind the BMC's back ("1" on, "0"
// off), as a host's own power button would.
func (b *BMC) SetPower(on bool) error {
	v := "0\n"
	if on {
		v = "1\n"
	}
	return os.WriteFile(b.PowerFile, []byte(v), 0o600)
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
