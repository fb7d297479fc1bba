package inventorysql

import "github.com/edgeflock/flock/inventory"

// TEMPORARY until inventory.Render lands on main.
func renderDoc(s inventory.Snapshot, hostUUID string) (inventory.HostConfig, error) {
	var hc inventory.HostConfig
	for _, h := range s.Hosts {
		if h.UUID == hostUUID {
			hc.Hostname, hc.Personality, hc.Subfunctions = h.Hostname, h.Personality, h.Subfunctions
		}
	}
	hc.System.DNSServers = s.System.DNSServers
	hc.Labels = map[string]string{}
	for _, l := range s.Labels[hostUUID] {
		hc.Labels[l.LabelKey] = l.LabelValue
	}
	for _, c := range s.CPUs[hostUUID] {
		if c.AllocatedFunction == inventory.CPUPlatform {
			hc.CPUs.Platform = append(hc.CPUs.Platform, c.CPU)
		}
	}
	for _, i := range s.Interfaces[hostUUID] {
		hc.Interfaces = append(hc.Interfaces, inventory.InterfaceConfig{Name: i.IfName, MTU: i.IMTU, Networks: i.Networks})
	}
	return hc, nil
}

func rebootRequired(old, new inventory.HostConfig) bool { return true }
