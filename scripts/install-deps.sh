#!/usr/bin/env bash
# Installs the Debian packages the tests need, once: a package already
# installed is not fetched again. Run by `make test` (and so by CI).
set -euo pipefail
pkgs=(
  postgresql                                   # fault/faultsql
  snmptrapd snmp smitools                      # fault/snmptrap
  etcd-server etcd-client                      # engines/kube (kube-apiserver is built by scripts/build-kube.sh)
  ceph-mon ceph-osd ceph-mgr ceph-common librados-dev librbd-dev   # engines/ceph: Ceph 16.2 + go-ceph (cgo)
  libvirt-dev libvirt-clients libvirt-daemon-system libvirt-daemon-driver-qemu   # engines/libvirt (cgo)
  qemu-system-x86                              # engines/libvirt: QEMU + QMP
  openipmi ipmitool                            # internal/testenv: IPMI BMC simulator
  redfishtool python3-sushy                    # hostmgmt/bmcsim: DMTF's and OpenStack's Redfish clients drive the emulator
  keystone uwsgi uwsgi-plugin-python3          # engines/openstack: Keystone
  python3-venv python3-pip python3-oslo.utils python3-keystoneauth1 python3-prettytable python3-six python3-httplib2 python3-dateutil python3-requests python3-openssl python3-pbr   # StarlingX's fm client (fault/faulthttp)
  lshw hwloc ethtool pciutils util-linux iproute2   # inventory/hwdiscovery: the tools its facts are compared with
  curl                                         # cmd/stx-ha: sm-api asked from inside a node's network namespace
  python3-keyring python3-oslo.i18n python3-oslo.serialization python3-requests-toolbelt python3-yaml   # StarlingX's system client (inventory/inventoryhttp)
)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
