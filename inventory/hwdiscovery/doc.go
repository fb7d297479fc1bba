// Package hwdiscovery discovers a machine's hardware — CPU topology,
// memory per NUMA node and hugepages, disks and partitions, LVM, network
// ports, PCI devices with GPUs and accelerators classified, the root and
// boot disks, the kernel and uptime — from /sys and /proc, in pure Go:
// no cgo, no external command. It is the discovery engine of stx-agent
// (StarlingX's sysinv-agent), and a library vendors embed.
//
// # Reading
//
// A Discoverer reads through an fs.FS that shows the machine's root:
// os.DirFS("/") in production, a recorded tree in tests. sysfs is made
// of symbolic links; the Discoverer resolves them itself, relative to
// that root (an absolute target starts again at the root), through
// fs.ReadLinkFS. Besides /sys and /proc it reads the udev database
// (/run/udev/data: disk links, WWNs, GPT partition types), /dev/disk
// when there is no udev database, LVM's metadata backups
// (/etc/lvm/backup) and the pci.ids database, read once per Discoverer.
//
// # Unknown facts
//
// A file that is missing or unreadable never fails a discovery: the
// fact it holds is named in Facts.Unknown with the reason, and its field
// is nil, empty or -1 (a NUMA node) rather than a zero that looks real.
// Without a udev database, disks have no by-path or by-id link and
// partitions no GPT type (the kernel exposes neither in sysfs); without
// /etc/lvm/backup, a machine with LVM devices has its LVM facts unknown,
// as reading LVM's on-disk metadata needs the lvm tools.
//
// # Choices
//
// A disk's type is NVME for an NVMe namespace, else HDD when the queue
// is rotational, else SSD. A port's PCI address is the nearest PCI
// function above it in sysfs: for a virtio NIC, the virtio PCI device.
// The management port (Facts.MgmtPort) is the port of the IPv4 default
// route, else the first port whose link is up, else the first port.
// A port's PXE capability is a guess: the MAC the host booted from
// (BOOTIF on the kernel command line), or a PCI function with an
// expansion ROM. Facts.Report maps facts to the inventory.Report an
// agent sends; its doc says how.
package hwdiscovery
