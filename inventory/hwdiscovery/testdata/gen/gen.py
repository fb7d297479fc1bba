#!/usr/bin/env python3
"""Builds the hand-made recorded trees server2s (a 2-socket NUMA server
with NVMe, SR-IOV NICs, a GPU, QAT and an FPGA card) and nonuma (a box
whose kernel knows no NUMA node), in the layout internal/record writes:
files under root/, links and directories in manifest.txt. The values
are realistic ones from such machines. Run from testdata/:
python3 gen/gen.py"""
import os, shutil

class Tree:
    def __init__(self, name):
        self.dir = name
        shutil.rmtree(os.path.join(name, "root"), ignore_errors=True)
        self.man = []
    def f(self, path, content):
        p = os.path.join(self.dir, "root", path)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as fh:
            fh.write(content if content.endswith("\n") or content == "" else content + "\n")
    def l(self, path, target):
        self.man.append("L %s %s" % (path, target))
    def d(self, path):
        self.man.append("D %s" % path)
    def e(self, path):  # an entry whose content is not read
        self.man.append("F %s" % path)
    def done(self):
        with open(os.path.join(self.dir, "manifest.txt"), "w") as fh:
            fh.write("\n".join(sorted(set(self.man))) + "\n")

def cpuinfo(n, model, family, mhz, flags, topo):
    out = []
    for c in range(n):
        sock, core = topo(c)
        out.append("processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: %s\nmodel\t\t: 106\nmodel name\t: %s\nstepping\t: 6\ncpu MHz\t\t: %s\ncache size\t: 49152 KB\nphysical id\t: %d\ncore id\t\t: %d\nflags\t\t: %s\n" % (c, family, model, mhz, sock, core, flags))
    return "\n".join(out)

def cpu_topo(t, c, sock, core, siblings):
    b = "sys/devices/system/cpu/cpu%d/topology/" % c
    t.f(b + "physical_package_id", str(sock))
    t.f(b + "core_id", str(core))
    t.f(b + "thread_siblings_list", siblings)

def caches(t, levels):
    for i, (level, typ, size, shared) in enumerate(levels):
        b = "sys/devices/system/cpu/cpu0/cache/index%d/" % i
        t.f(b + "level", str(level)); t.f(b + "type", typ); t.f(b + "size", size); t.f(b + "shared_cpu_list", shared)
    t.d("sys/devices/system/cpu/cpu0/cache")
    t.e("sys/devices/system/cpu/cpu0/cache/uevent")

def pci(t, root, addr, cls, ven, dev, sven, sdev, rev, driver, numa, parent=None, extra=None):
    path = "sys/devices/%s/%s" % (root, addr)
    if parent:
        path = "sys/devices/%s/%s/%s" % (root, parent, addr)
    t.l("sys/bus/pci/devices/" + addr, "../../../" + path[len("sys/"):])
    for k, v in (("class", cls), ("vendor", ven), ("device", dev), ("subsystem_vendor", sven), ("subsystem_device", sdev), ("revision", rev)):
        t.f(path + "/" + k, v)
    if numa is not None:
        t.f(path + "/numa_node", str(numa))
    if driver:
        depth = path.count("/")
        t.l(path + "/driver", "../" * depth + "bus/pci/drivers/" + driver)
        t.d("sys/bus/pci/drivers/" + driver)
    for k, v in (extra or {}).items():
        if k == "rom":
            t.e(path + "/rom")
        elif k == "physfn":
            t.l(path + "/physfn", "../" + v)
        else:
            t.f(path + "/" + k, v)
    t.d(path)
    return path

def netdev(t, devpath, name, mac, mtu, oper, carrier, speed, duplex, driver_link):
    p = devpath + "/net/" + name
    t.l("sys/class/net/" + name, "../../" + p[len("sys/"):])
    t.l(p + "/device", "../../../" + devpath.rsplit("/", 1)[1])
    for k, v in (("address", mac), ("mtu", str(mtu)), ("operstate", oper), ("type", "1"), ("link_mode", "0")):
        t.f(p + "/" + k, v)
    if carrier is not None:
        t.f(p + "/carrier", str(carrier))
    if speed is not None:
        t.f(p + "/speed", str(speed))
    if duplex is not None:
        t.f(p + "/duplex", duplex)
    t.d(p)

def virtual_net(t, name):
    t.l("sys/class/net/" + name, "../../devices/virtual/net/" + name)
    t.f("sys/devices/virtual/net/%s/type" % name, "772" if name == "lo" else "1")
    t.d("sys/devices/virtual/net/" + name)

def hugepages(t, base, h2, h1):
    for size, v in (("2048kB", h2), ("1048576kB", h1)):
        if v is None:
            continue
        b = "%s/hugepages-%s/" % (base, size)
        t.f(b + "nr_hugepages", str(v[0])); t.f(b + "free_hugepages", str(v[1])); t.d(b[:-1])

def common(t, hostname, kernel, uptime):
    t.f("proc/sys/kernel/hostname", hostname)
    t.f("proc/sys/kernel/osrelease", kernel)
    t.f("proc/uptime", uptime)
    t.l("proc/self", "4242")
    t.l("proc/net", "self/net")

def meminfo(total, free, avail):
    return "MemTotal:       %d kB\nMemFree:        %d kB\nMemAvailable:   %d kB\nBuffers:          123456 kB\nHugePages_Total:       0\nHugepagesize:       2048 kB\n" % (total, free, avail)

# ---------------------------------------------------------------- server2s
t = Tree("server2s")
common(t, "compute-0", "5.10.0-6-amd64", "864000.52 1700000.11")
t.f("proc/cmdline", "BOOT_IMAGE=/vmlinuz-5.10.0-6-amd64 root=UUID=3f1c0c6e-5b2a-4a43-9b2e-1d8a3c1f0a11 ro BOOTIF=01-3c-fd-fe-a0-00-00 hugepagesz=1G")
flags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc vmx smx est tm2 ssse3 fma cx16 avx2 avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb intel_pt avx512cd sha_ni avx512bw avx512vl xsaveopt avx512vbmi umip pku ospke avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq"
# 2 sockets x 4 cores (core ids 0, 1, 4, 5) x 2 threads; Linux numbers the
# first thread of every core, then the siblings.
core_ids = [0, 1, 4, 5]
def topo2(c):
    return (c % 8) // 4, core_ids[c % 4]
t.f("proc/cpuinfo", cpuinfo(16, "Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz", "6", "2200.000", flags, topo2))
t.f("sys/devices/system/cpu/online", "0-15")
for c in range(16):
    s, core = topo2(c)
    cpu_topo(t, c, s, core, "%d,%d" % (c % 8, c % 8 + 8))
t.f("sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "3500000")
caches(t, [(1, "Data", "48K", "0,8"), (1, "Instruction", "32K", "0,8"), (2, "Unified", "1280K", "0,8"), (3, "Unified", "49152K", "0-3,8-11")])
t.f("sys/devices/system/node/online", "0-1")
t.f("sys/devices/system/node/node0/cpulist", "0-3,8-11")
t.f("sys/devices/system/node/node1/cpulist", "4-7,12-15")
t.f("sys/devices/system/node/node0/meminfo", "Node 0 MemTotal:       32588136 kB\nNode 0 MemFree:        20112340 kB\nNode 0 MemUsed:        12475796 kB\nNode 0 HugePages_Total:  1024\n")
t.f("sys/devices/system/node/node1/meminfo", "Node 1 MemTotal:       33018236 kB\nNode 1 MemFree:        24003128 kB\nNode 1 MemUsed:         9015108 kB\nNode 1 HugePages_Total:  1024\n")
hugepages(t, "sys/devices/system/node/node0/hugepages", (1024, 1000), (4, 4))
hugepages(t, "sys/devices/system/node/node1/hugepages", (1024, 1024), (8, 6))
hugepages(t, "sys/kernel/mm/hugepages", (2048, 2024), (12, 10))
t.f("proc/meminfo", meminfo(65606372, 44115468, 52001234))
t.f("sys/devices/system/memory/block_size_bytes", "80000000")
t.d("sys/devices/system/memory")
for i in range(32):
    t.d("sys/devices/system/memory/memory%d" % i)
t.e("sys/devices/system/memory/uevent")

# PCI
pci(t, "pci0000:00", "0000:00:00.0", "0x060000", "0x8086", "0x09a2", "0x8086", "0x0000", "0x04", None, 0)
sata = pci(t, "pci0000:00", "0000:00:17.0", "0x010601", "0x8086", "0xa182", "0x15d9", "0x1c48", "0x09", "ahci", 0)
nvme = pci(t, "pci0000:16", "0000:17:00.0", "0x010802", "0x144d", "0xa80a", "0x144d", "0xa812", "0x00", "nvme", 0, parent="0000:16:02.0")
pci(t, "pci0000:16", "0000:16:02.0", "0x060400", "0x8086", "0x347a", "0x0000", "0x0000", "0x04", "pcieport", 0)
nic0 = pci(t, "pci0000:17", "0000:18:00.0", "0x020000", "0x8086", "0x1572", "0x8086", "0x0001", "0x02", "i40e", 0, extra={"sriov_totalvfs": "64", "sriov_numvfs": "1", "rom": ""})
nic1 = pci(t, "pci0000:17", "0000:18:00.1", "0x020000", "0x8086", "0x1572", "0x8086", "0x0001", "0x02", "i40e", 0, extra={"sriov_totalvfs": "64", "sriov_numvfs": "0", "rom": ""})
vf = pci(t, "pci0000:17", "0000:18:02.0", "0x020000", "0x8086", "0x154c", "0x8086", "0x0000", "0x02", "iavf", 0, extra={"physfn": "0000:18:00.0"})
pci(t, "pci0000:3a", "0000:3b:00.0", "0x030200", "0x10de", "0x1eb8", "0x10de", "0x12a2", "0xa1", "nvidia", 0)
pci(t, "pci0000:ae", "0000:af:00.0", "0x0b4000", "0x8086", "0x37c8", "0x8086", "0x0000", "0x04", "c6xx", 1)
pci(t, "pci0000:b0", "0000:b1:00.0", "0x120000", "0x8086", "0x0b30", "0x8086", "0x0000", "0x02", "dfl-pci", 1)
pci(t, "pci0000:b0", "0000:b2:00.0", "0x120000", "0x8086", "0x0d5c", "0x8086", "0x0000", "0x00", "vfio-pci", 1)
t.d("sys/bus/pci/devices")

# Network: two X710 ports and a VF; a bridge and lo are not ports.
netdev(t, nic0, "ens785f0", "3c:fd:fe:a0:00:00", 9000, "up", 1, 10000, "full", None)
netdev(t, nic1, "ens785f1", "3c:fd:fe:a0:00:01", 1500, "down", None, None, None, None)
netdev(t, vf, "ens785f0v0", "ae:12:34:56:78:9a", 1500, "up", 1, 10000, "full", None)
virtual_net(t, "lo"); virtual_net(t, "br-mgmt")
t.d("sys/class/net")
t.f("proc/4242/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\nens785f0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\nens785f0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n")

# Disks: an NVMe namespace and a SATA HDD with a GPT and an LVM PV.
def block(t, devpath, name, majmin, size, rot, extra=None, parts=()):
    p = devpath
    t.l("sys/block/" + name, "../" + p[len("sys/"):])
    t.l("sys/dev/block/" + majmin, "../../" + p[len("sys/"):])
    t.f(p + "/size", str(size)); t.f(p + "/dev", majmin); t.f(p + "/queue/rotational", str(rot))
    t.f(p + "/removable", "0"); t.f(p + "/ro", "0")
    for k, v in (extra or {}).items():
        t.f(p + "/" + k, v)
    t.d(p); t.e(p + "/uevent"); t.d(p + "/queue")
    for (pname, num, pmajmin, start, psize) in parts:
        pp = p + "/" + pname
        t.f(pp + "/partition", str(num)); t.f(pp + "/start", str(start)); t.f(pp + "/size", str(psize)); t.f(pp + "/dev", pmajmin)
        t.l("sys/dev/block/" + pmajmin, "../../" + pp[len("sys/"):])
        t.d(pp)
    return p

nvme_ctrl = nvme + "/nvme/nvme0"
t.f(nvme_ctrl + "/model", "SAMSUNG MZQL2960HCJR-00A07")
t.f(nvme_ctrl + "/serial", "S64FNE0R812345")
t.d(nvme_ctrl)
nv = block(t, nvme_ctrl + "/nvme0n1", "nvme0n1", "259:0", 1875385008, 0, {"wwid": "eui.36344630528123450025384500000001"})
t.l(nv + "/device", "../../nvme0")
scsi = sata + "/ata1/host0/target0:0:0/0:0:0:0"
t.f(scsi + "/model", "ST2000NM0055-1V4")
t.f(scsi + "/vendor", "ATA     ")
t.f(scsi + "/wwid", "naa.5000c500a1b2c3d4")
t.d(scsi)
sda = block(t, scsi + "/block/sda", "sda", "8:0", 3907029168, 1, parts=[
    ("sda1", 1, "8:1", 2048, 614400), ("sda2", 2, "8:2", 616448, 1048576),
    ("sda3", 3, "8:3", 1665024, 62914560), ("sda4", 4, "8:4", 64579584, 3842449408)])
t.l(sda + "/device", "../../../0:0:0:0")
for name in ("loop0", "dm-0"):
    t.l("sys/block/" + name, "../devices/virtual/block/" + name)
t.f("sys/devices/virtual/block/dm-0/dm/uuid", "LVM-Xq2s0w1Jd3k5v0M9N4pP1aZ8cB7eR6tYvT3uW2xQ9rS1kL5mN8bV4cX7zA0sD6fG")
t.d("sys/block")
t.d("run/udev/data")
t.f("run/udev/data/b8:0", "S:disk/by-id/wwn-0x5000c500a1b2c3d4\nS:disk/by-path/pci-0000:00:17.0-ata-1.0\nS:disk/by-path/pci-0000:00:17.0-ata-1\nS:disk/by-id/ata-ST2000NM0055-1V4_ZC20ABCD\nW:12\nI:5123456\nE:ID_ATA=1\nE:ID_TYPE=disk\nE:ID_BUS=ata\nE:ID_MODEL=ST2000NM0055-1V4\nE:ID_SERIAL=ST2000NM0055-1V4_ZC20ABCD\nE:ID_SERIAL_SHORT=ZC20ABCD\nE:ID_WWN=0x5000c500a1b2c3d4\nE:ID_WWN_WITH_EXTENSION=0x5000c500a1b2c3d4\nE:ID_ATA_ROTATION_RATE_RPM=7200\nE:ID_PART_TABLE_TYPE=gpt\nE:ID_PART_TABLE_UUID=6c0a3c5e-1d2b-4f5a-8e9d-0a1b2c3d4e5f\nE:ID_PATH=pci-0000:00:17.0-ata-1.0\nG:systemd\n")
parts = [
    ("8:1", "1", "c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "9a1f0c2e-0001-4c1d-9f3e-5b6a7c8d9e01", "EFI System", "vfat"),
    ("8:2", "2", "0fc63daf-8483-4772-8e79-3d69d8477de4", "9a1f0c2e-0002-4c1d-9f3e-5b6a7c8d9e02", "platform_boot", "ext4"),
    ("8:3", "3", "0FC63DAF-8483-4772-8E79-3D69D8477DE4", "9a1f0c2e-0003-4c1d-9f3e-5b6a7c8d9e03", "platform_root", "ext4"),
    ("8:4", "4", "e6d6d379-f507-44c2-a23c-238f2a3df928", "9a1f0c2e-0004-4c1d-9f3e-5b6a7c8d9e04", "", "LVM2_member"),
]
for majmin, n, typ, puuid, pname, fs in parts:
    body = "S:disk/by-path/pci-0000:00:17.0-ata-1.0-part%s\nS:disk/by-path/pci-0000:00:17.0-ata-1-part%s\nS:disk/by-id/ata-ST2000NM0055-1V4_ZC20ABCD-part%s\nS:disk/by-partuuid/%s\nE:DEVTYPE=partition\nE:ID_FS_TYPE=%s\nE:ID_PART_ENTRY_SCHEME=gpt\nE:ID_PART_ENTRY_TYPE=%s\nE:ID_PART_ENTRY_UUID=%s\nE:ID_PART_ENTRY_NUMBER=%s\n" % (n, n, n, puuid, fs, typ, puuid, n)
    if pname:
        body += "E:ID_PART_ENTRY_NAME=%s\n" % pname
    t.f("run/udev/data/b" + majmin, body)
t.f("run/udev/data/b259:0", "S:disk/by-path/pci-0000:17:00.0-nvme-1\nS:disk/by-id/nvme-SAMSUNG_MZQL2960HCJR-00A07_S64FNE0R812345\nS:disk/by-id/nvme-eui.36344630528123450025384500000001\nE:ID_SERIAL_SHORT=S64FNE0R812345\nE:ID_MODEL=SAMSUNG MZQL2960HCJR-00A07\nE:ID_WWN=eui.36344630528123450025384500000001\n")
t.f("proc/4242/mountinfo", "22 1 8:3 / / rw,relatime shared:1 - ext4 /dev/sda3 rw\n23 22 8:2 / /boot rw,relatime shared:2 - ext4 /dev/sda2 rw\n24 23 8:1 / /boot/efi rw,relatime shared:3 - vfat /dev/sda1 rw\n25 22 0:21 / /proc rw - proc proc rw\n26 22 253:0 / /var/lib/docker rw - ext4 /dev/mapper/cgts--vg-docker--lv rw\n")
t.d("etc/lvm/backup")
t.f("etc/lvm/backup/cgts-vg", '''# Generated by LVM2 version 2.03.11(2) (2021-01-08): Tue Mar  4 10:00:00 2025

contents = "Text Format Volume Group"
version = 1

description = "Created *after* executing 'lvcreate -L 30G -n docker-lv cgts-vg'"

creation_host = "compute-0"	# Linux compute-0 5.10.0-6-amd64 #1 SMP PREEMPT_RT x86_64
creation_time = 1741082400	# Tue Mar  4 10:00:00 2025

cgts-vg {
	id = "Xq2s0w-1Jd3-k5v0-M9N4-pP1a-Z8cB-7eR6tY"
	seqno = 7
	format = "lvm2"			# informational
	status = ["RESIZEABLE", "READ", "WRITE"]
	flags = []
	extent_size = 8192		# 4 Megabytes
	max_lv = 0
	max_pv = 0
	metadata_copies = 0

	physical_volumes {

		pv0 {
			id = "Hk3b1n-Lm4v-Qw2e-Rt5y-Ui7o-Pa9s-Df0gHj"
			device = "/dev/sda4"	# Hint only

			status = ["ALLOCATABLE"]
			flags = []
			dev_size = 3842449408	# 1.78929 Terabytes
			pe_start = 2048
			pe_count = 469049	# 1.78929 Terabytes
		}
	}

	logical_volumes {

		docker-lv {
			id = "Vb6n8m-Zx1c-As3d-Fg5h-Jk7l-Qw9e-Rt2yUi"
			status = ["READ", "WRITE", "VISIBLE"]
			flags = []
			creation_time = 1741082400	# 2025-03-04 10:00:00 +0000
			creation_host = "compute-0"
			segment_count = 1

			segment1 {
				start_extent = 0
				extent_count = 7680	# 30 Gigabytes

				type = "striped"
				stripe_count = 1	# linear

				stripes = [
					"pv0", 0
				]
			}
		}

		kubelet-lv {
			id = "Op4i6u-Yt8r-Ew0q-Sd2f-Gh4j-Kl6z-Xc8vBn"
			status = ["READ", "WRITE", "VISIBLE"]
			flags = []
			segment_count = 2

			segment1 {
				start_extent = 0
				extent_count = 2560	# 10 Gigabytes

				type = "striped"
				stripe_count = 1	# linear

				stripes = [
					"pv0", 7680
				]
			}
			segment2 {
				start_extent = 2560
				extent_count = 512	# 2 Gigabytes

				type = "striped"
				stripe_count = 1	# linear

				stripes = [
					"pv0", 12000
				]
			}
		}
	}

}
''')
t.f("usr/share/misc/pci.ids", """# a subset of pci.ids
10de  NVIDIA Corporation
\t1eb8  TU104GL [Tesla T4]
\t\t10de 12a2  TU104GL [Tesla T4]
144d  Samsung Electronics Co Ltd
\ta80a  NVMe SSD Controller PM9A1/PM9A3/980PRO
\t\t144d a812  NVMe SSD PM9A3 960GB
15d9  Super Micro Computer Inc
8086  Intel Corporation
\t09a2  Ice Lake Memory Map/VT-d
\t0b30  PAC N3000 Programmable Acceleration Card
\t0d5c  Adaptive Communications Accelerator ACC100
\t154c  Ethernet Virtual Function 700 Series
\t1572  Ethernet Controller X710 for 10GbE SFP+
\t\t8086 0001  Ethernet Converged Network Adapter X710-4
\t\t8086 0002  Ethernet Converged Network Adapter X710-2
\t347a  Ice Lake PCI Express Root Port A
\t37c8  C62x Chipset QuickAssist Technology
\ta182  C620 Series Chipset Family SATA Controller [AHCI mode]
C 01  Mass storage controller
\t06  SATA controller
\t\t01  AHCI 1.0
\t08  Non-Volatile memory controller
\t\t02  NVM Express
C 02  Network controller
\t00  Ethernet controller
C 03  Display controller
\t02  3D controller
C 06  Bridge
\t00  Host bridge
\t04  PCI bridge
C 0b  Processor
\t40  Co-processor
C 12  Processing accelerators
\t00  Processing accelerators
""")
t.done()

# ---------------------------------------------------------------- nonuma
t = Tree("nonuma")
common(t, "edge-box", "6.1.0-18-amd64", "3600.00 14000.00")
t.f("proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz-6.1.0-18-amd64 root=/dev/sda2 ro quiet")
flags = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc vmx est tm2 ssse3 sse4_1 sse4_2 aes rdrand sha_ni"
t.f("proc/cpuinfo", cpuinfo(4, "Intel(R) Atom(TM) CPU C3558 @ 2.20GHz", "6", "1600.000", flags, lambda c: (0, c)))
t.f("sys/devices/system/cpu/online", "0-3")
for c in range(4):
    cpu_topo(t, c, 0, c, str(c))
caches(t, [(1, "Data", "24K", "0"), (1, "Instruction", "32K", "0"), (2, "Unified", "2048K", "0-1")])
t.f("proc/meminfo", meminfo(16297724, 12001212, 14998876))
hugepages(t, "sys/kernel/mm/hugepages", (0, 0), None)
# No sys/devices/system/node, no memory blocks, no udev, no LVM, and
# PCI functions without numa_node (a kernel built without NUMA).
pci(t, "pci0000:00", "0000:00:00.0", "0x060000", "0x8086", "0x1980", "0x8086", "0x0000", "0x11", None, None)
sata = pci(t, "pci0000:00", "0000:00:13.0", "0x010601", "0x8086", "0x19b2", "0x8086", "0x19b2", "0x11", "ahci", None)
eno1 = pci(t, "pci0000:00", "0000:02:00.0", "0x020000", "0x8086", "0x1533", "0x8086", "0x0000", "0x03", "igb", None, extra={"rom": ""})
eno2 = pci(t, "pci0000:00", "0000:03:00.0", "0x020000", "0x8086", "0x1533", "0x8086", "0x0000", "0x03", "igb", None, extra={"rom": ""})
t.d("sys/bus/pci/devices")
netdev(t, eno1, "eno1", "00:25:90:aa:bb:01", 1500, "down", 0, -1, "unknown", None)
netdev(t, eno2, "eno2", "00:25:90:aa:bb:02", 1500, "up", 1, 1000, "full", None)
virtual_net(t, "lo")
t.d("sys/class/net")
t.f("proc/4242/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n")
scsi = sata + "/ata2/host1/target1:0:0/1:0:0:0"
t.f(scsi + "/model", "INTEL SSDSC2KB48")
t.f(scsi + "/vendor", "ATA     ")
t.d(scsi)
sda = block(t, scsi + "/block/sda", "sda", "8:0", 937703088, 0, parts=[
    ("sda1", 1, "8:1", 2048, 1048576), ("sda2", 2, "8:2", 1050624, 936650752)])
t.l(sda + "/device", "../../../1:0:0:0")
t.d("sys/block")
# No udev database, but /dev/disk links (made by mdev or by hand).
t.d("dev/disk/by-path"); t.d("dev/disk/by-id")
t.l("dev/disk/by-path/pci-0000:00:13.0-ata-2", "../../sda")
t.l("dev/disk/by-path/pci-0000:00:13.0-ata-2-part1", "../../sda1")
t.l("dev/disk/by-path/pci-0000:00:13.0-ata-2-part2", "../../sda2")
t.l("dev/disk/by-id/ata-INTEL_SSDSC2KB480G8_PHYF0123456789", "../../sda")
t.f("proc/4242/mountinfo", "22 1 8:2 / / rw,relatime shared:1 - ext4 /dev/sda2 rw\n23 22 8:1 / /boot/efi rw - vfat /dev/sda1 rw\n")
t.f("usr/share/misc/pci.ids", """8086  Intel Corporation
\t1533  I210 Gigabit Network Connection
\t1980  Atom Processor C3000 Series System Agent
\t19b2  Atom Processor C3000 Series SATA Controller 0
C 01  Mass storage controller
\t06  SATA controller
C 02  Network controller
\t00  Ethernet controller
C 06  Bridge
\t00  Host bridge
""")
t.done()
