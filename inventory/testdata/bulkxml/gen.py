#!/usr/bin/python3
"""Writes the bulk export files of this directory as StarlingX writes them.

_create_node and the last lines of bulk_export are copied unchanged from
starlingx/config sysinv/sysinv/sysinv/sysinv/api/controllers/v1/host.py
(commit b62963d41); only the host records are made up here. Run it from this
directory with python3 (standard library only): python3 gen.py

starlingx-export.xml         what StarlingX's bulk_export writes, mgmt network dynamic
starlingx-export-static.xml  the same with a static mgmt network (<mgmt_ip>)
starlingx-export-workers.xml its workers only, without a BMC address: the
                             case where Flock's export is StarlingX's, byte
                             for byte
flock-export.golden.xml      the same hosts through flock_create_node: the
                             elements Flock's WriteBulkXML adds (hostname and
                             subfunctions for every personality, bm_ip), so that
                             the golden file is minidom's own formatting
"""
import xml.etree.ElementTree as et
from xml.dom import minidom as dom

CONTROLLER = 'controller'
STORAGE = 'storage'
WORKER = 'worker'


def _(s):
    return s


class constants:
    CONTROLLER = CONTROLLER
    STORAGE = STORAGE
    WORKER = WORKER


class Host(object):
    def __init__(self, **kw):
        defaults = dict(hostname=None, personality=None, subfunctions=None,
                        mgmt_mac=None, mgmt_ip=None, location={}, bm_ip=None,
                        bm_type=None, bm_username=None, boot_device=None,
                        rootfs_device=None, hw_settle=None, install_output=None,
                        console=None, vsc_controllers=None, tboot=None)
        defaults.update(kw)
        self.__dict__.update(defaults)


# ---- copied from host.py ----
def _create_node(host, xml_node, personality, is_dynamic_ip):
    host_node = et.SubElement(xml_node, 'host')
    et.SubElement(host_node, 'personality').text = personality
    if personality == constants.WORKER:
        et.SubElement(host_node, 'hostname').text = host.hostname
        et.SubElement(host_node, 'subfunctions').text = host.subfunctions

    et.SubElement(host_node, 'mgmt_mac').text = host.mgmt_mac
    if not is_dynamic_ip:
        et.SubElement(host_node, 'mgmt_ip').text = host.mgmt_ip
    if host.location is not None and 'locn' in host.location:
        et.SubElement(host_node, 'location').text = host.location['locn']

    pw_on_instruction = _('Uncomment the statement below to power on the host '
                          'automatically through board management.')
    host_node.append(et.Comment(pw_on_instruction))
    host_node.append(et.Comment('<power_on />'))
    et.SubElement(host_node, 'bm_type').text = host.bm_type
    et.SubElement(host_node, 'bm_username').text = host.bm_username
    et.SubElement(host_node, 'bm_password').text = ''

    et.SubElement(host_node, 'boot_device').text = host.boot_device
    et.SubElement(host_node, 'rootfs_device').text = host.rootfs_device
    et.SubElement(host_node, 'hw_settle').text = host.hw_settle
    et.SubElement(host_node, 'install_output').text = host.install_output
    if host.vsc_controllers is not None:
        et.SubElement(host_node, 'vsc_controllers').text = host.vsc_controllers
    et.SubElement(host_node, 'console').text = host.console
    et.SubElement(host_node, 'tboot').text = host.tboot
# ---- end of copy ----


def flock_create_node(host, xml_node, personality, is_dynamic_ip):
    """_create_node with Flock's additions: hostname and subfunctions for
    every personality, bm_ip before bm_type when set, mgmt_ip when set."""
    host_node = et.SubElement(xml_node, 'host')
    et.SubElement(host_node, 'personality').text = personality
    et.SubElement(host_node, 'hostname').text = host.hostname
    et.SubElement(host_node, 'subfunctions').text = host.subfunctions
    et.SubElement(host_node, 'mgmt_mac').text = host.mgmt_mac
    if host.mgmt_ip:
        et.SubElement(host_node, 'mgmt_ip').text = host.mgmt_ip
    if host.location is not None and 'locn' in host.location:
        et.SubElement(host_node, 'location').text = host.location['locn']
    pw_on_instruction = _('Uncomment the statement below to power on the host '
                          'automatically through board management.')
    host_node.append(et.Comment(pw_on_instruction))
    host_node.append(et.Comment('<power_on />'))
    if host.bm_ip:
        et.SubElement(host_node, 'bm_ip').text = host.bm_ip
    et.SubElement(host_node, 'bm_type').text = host.bm_type
    et.SubElement(host_node, 'bm_username').text = host.bm_username
    et.SubElement(host_node, 'bm_password').text = ''
    et.SubElement(host_node, 'boot_device').text = host.boot_device
    et.SubElement(host_node, 'rootfs_device').text = host.rootfs_device
    et.SubElement(host_node, 'hw_settle').text = host.hw_settle
    et.SubElement(host_node, 'install_output').text = host.install_output
    et.SubElement(host_node, 'console').text = host.console
    et.SubElement(host_node, 'tboot').text = ''


HOSTS = [
    Host(hostname='controller-0', personality=CONTROLLER, subfunctions='controller',
         mgmt_mac='08:00:27:3a:10:01', mgmt_ip='192.168.204.3',
         location={'locn': 'Rack 1 / U12 & U13 <"east">'},
         bm_ip='10.10.10.3', bm_type='ipmi', bm_username='root',
         boot_device='/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0',
         rootfs_device='/dev/disk/by-path/pci-0000:00:1f.2-ata-1.0',
         hw_settle='0', install_output='text', console='ttyS0,115200', tboot='false'),
    Host(hostname='worker-1', personality=WORKER, subfunctions='worker,lowlatency',
         mgmt_mac='08:00:27:3a:10:05', mgmt_ip='192.168.204.51',
         bm_ip='10.10.10.51', bm_type='redfish', bm_username='admin',
         boot_device='/dev/sda', rootfs_device='/dev/sda', hw_settle='5',
         install_output='graphical', console='tty0', tboot=''),
    Host(hostname='storage-0', personality=STORAGE, subfunctions='storage',
         mgmt_mac='08:00:27:3a:10:03', mgmt_ip='192.168.204.7', location={},
         boot_device='/dev/sda', rootfs_device='/dev/sda', hw_settle='0',
         install_output='text', console='ttyS0,115200'),
    Host(hostname='worker-0', personality=WORKER, subfunctions='worker',
         mgmt_mac='08:00:27:3a:10:04', mgmt_ip='192.168.204.50',
         location={'locn': ''}, bm_type='none',
         boot_device='/dev/sda', rootfs_device='/dev/sda', hw_settle='0',
         install_output='text', console='ttyS0,115200'),
    Host(hostname='controller-1', personality=CONTROLLER, subfunctions='controller',
         mgmt_mac='08:00:27:3a:10:02', mgmt_ip='192.168.204.4', location=None,
         boot_device='/dev/sda', rootfs_device='/dev/sda', hw_settle='0',
         install_output='text', console='ttyS0,115200'),
]


def host_personality_name_sort_key(host):
    if host.personality == constants.CONTROLLER:
        rank = 0
    elif host.personality == constants.STORAGE:
        rank = 1
    elif host.personality == constants.WORKER:
        rank = 2
    else:
        rank = 3
    return rank, host.hostname


def export(create, is_dynamic_ip, hosts=HOSTS):
    # the last lines of bulk_export, with get_sw_version() = '24.09'
    xml_host_node = et.Element('hosts', {'version': '24.09'})
    for host in sorted(hosts, key=host_personality_name_sort_key):
        create(host, xml_host_node, host.personality, is_dynamic_ip)
    return dom.parseString(et.tostring(xml_host_node)).toprettyxml()


# Workers without a BMC address: where StarlingX's export and Flock's are
# the same bytes.
WORKERS = [Host(**dict(h.__dict__, bm_ip=None)) for h in HOSTS if h.personality == WORKER]
with open('starlingx-export-workers.xml', 'w') as f:
    f.write(export(_create_node, False, WORKERS))

for name, create, dynamic in [('starlingx-export.xml', _create_node, True),
                              ('starlingx-export-static.xml', _create_node, False),
                              ('flock-export.golden.xml', flock_create_node, False)]:
    with open(name, 'w') as f:
        f.write(export(create, dynamic))
