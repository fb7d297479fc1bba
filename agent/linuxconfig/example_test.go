package linuxconfig_test

import (
	"fmt"

	"github.com/edgeflock/flock/agent/linuxconfig"
	"github.com/edgeflock/flock/inventory"
)

// The files a host's configuration becomes.
func ExampleFiles() {
	files, _ := linuxconfig.Files(inventory.HostConfig{
		Interfaces: []inventory.InterfaceConfig{{Name: "mgmt0", Type: inventory.IfEthernet, Port: "eth0", MTU: 1500,
			Addresses: []string{"192.168.204.3/24"}}},
	})
	fmt.Print(files["etc/systemd/network/50-flock-eth0.network"])
	// Output:
	// [Match]
	// Name=eth0
	//
	// [Link]
	// MTUBytes=1500
	//
	// [Network]
	// Address=192.168.204.3/24
}
