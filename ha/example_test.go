package ha_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/edgeflock/flock/ha"
)

// A floating address and an API that needs it go active in order: the
// caller performs each action and feeds its result back; the API's
// process then fails once and is restarted.
func ExampleStepGroup() {
	m, err := ha.LoadModel(strings.NewReader(`
service_groups:
  - name: web-services
    services:
      - {service_name: web-ip}
      - {service_name: web-api}
services:
  - name: web-ip
    kind: ip
    ip: {network: oam, address: 10.10.10.2/24}
  - name: web-api
    actions:
      - {action: go-active, plugin_type: go, plugin_name: api.serve, timeout: 30s}
      - {action: disable, plugin_type: go, plugin_name: api.stop, timeout: 30s}
    dependencies:
      - {type: action, action: go-active, dependent: web-ip, dependent_state: enabled-active}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	g, _ := ha.NewGroupRun(m, "web-services")
	cfg := ha.GroupConfig{Model: m}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	step := func(ev ha.GroupEvent) {
		var acts []ha.Action
		g, acts, err = ha.StepGroup(g, ev, now, cfg)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s: group %s", ev.Kind, g.State)
		for _, a := range acts {
			if a.Kind == ha.DoRun {
				fmt.Printf(", run %s %s", a.Service, a.Action)
			}
		}
		fmt.Println()
	}
	result := func(service string, kind ha.ServiceEventKind) ha.GroupEvent {
		return ha.GroupEvent{Kind: ha.GroupEventService, Service: service, Event: ha.ServiceEvent{Kind: kind}}
	}
	step(ha.GroupEvent{Kind: ha.GroupEventGoActive})
	step(result("web-ip", ha.EventGoActiveSuccess))
	step(result("web-api", ha.EventGoActiveSuccess))
	step(result("web-api", ha.EventProcessFailure))
	step(result("web-api", ha.EventDisableSuccess))
	step(result("web-api", ha.EventGoActiveSuccess))
	api, _ := g.Service("web-api")
	fmt.Println("web-api failures:", api.Failures)
	// Output:
	// go-active: group go-active, run web-ip go-active
	// service: group go-active, run web-api go-active
	// service: group active
	// service: group go-active, run web-api disable
	// service: group go-active, run web-api go-active
	// service: group active
	// web-api failures: 1
}
